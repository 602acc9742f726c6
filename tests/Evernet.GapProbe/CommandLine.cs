using System.Globalization;
using System.Net;

namespace Evernet.GapProbe;

/// <summary>Thrown for a usage error; the message is shown to the user together with the usage text.</summary>
public sealed class UsageException(string message) : Exception(message);

/// <summary>
/// Minimal "--name value" parser. Hand-rolled on purpose: the tool must start fast inside namespaces and has a
/// handful of options; every option a subcommand does not know is an error rather than silently ignored.
/// </summary>
public sealed class CommandLine
{
    private readonly Dictionary<string, string> _values = new(StringComparer.Ordinal);
    private readonly HashSet<string> _used = new(StringComparer.Ordinal);

    public CommandLine(IReadOnlyList<string> args)
    {
        for (var i = 0; i < args.Count; i++)
        {
            var name = args[i];
            if (!name.StartsWith("--", StringComparison.Ordinal) || name.Length < 3)
            {
                throw new UsageException($"unexpected argument '{name}'");
            }

            if (i + 1 >= args.Count || args[i + 1].StartsWith("--", StringComparison.Ordinal))
            {
                _values[name[2..]] = "true"; // a flag
            }
            else
            {
                _values[name[2..]] = args[++i];
            }
        }
    }

    public string? Text(string name)
    {
        _used.Add(name);
        return _values.TryGetValue(name, out var value) ? value : null;
    }

    public bool Flag(string name) => Text(name) is { } v && v != "false";

    public double Number(string name, double fallback, double min, double max)
    {
        var text = Text(name);
        if (text is null)
        {
            return fallback;
        }

        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || value < min || value > max)
        {
            throw new UsageException($"--{name} must be a number in [{min}, {max}], got '{text}'");
        }

        return value;
    }

    public int Integer(string name, int fallback, int min, int max) => (int)Math.Round(Number(name, fallback, min, max));

    public IPEndPoint EndPoint(string name, IPEndPoint? fallback = null)
    {
        var text = Text(name);
        if (text is null)
        {
            return fallback ?? throw new UsageException($"--{name} ADDRESS:PORT is required");
        }

        if (!IPEndPoint.TryParse(text, out var endPoint) || endPoint.Port == 0)
        {
            throw new UsageException($"--{name} must be ADDRESS:PORT, got '{text}'");
        }

        return endPoint;
    }

    public IPAddress Address(string name, IPAddress fallback)
    {
        var text = Text(name);
        if (text is null)
        {
            return fallback;
        }

        return IPAddress.TryParse(text, out var address) ? address : throw new UsageException($"--{name} must be an IP address, got '{text}'");
    }

    /// <summary>Call after reading every option: anything left over is a typo the user should hear about.</summary>
    public void RejectUnknown()
    {
        var unknown = _values.Keys.Where(k => !_used.Contains(k)).Order(StringComparer.Ordinal).ToList();
        if (unknown.Count > 0)
        {
            throw new UsageException("unknown option(s): " + string.Join(", ", unknown.Select(u => "--" + u)));
        }
    }
}
