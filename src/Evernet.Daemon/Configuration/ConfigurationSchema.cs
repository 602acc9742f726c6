using System.Globalization;
using Microsoft.Extensions.Configuration;

namespace Evernet.Daemon.Configuration;

/// <summary>
/// Every key <see cref="EvernetdOptions"/> understands, with its value type, checked before binding. It lets a bad file
/// produce every problem at once with the key the operator wrote ("gossip.prot: unknown key", "gossip.port: 'abc' is
/// not an integer"), where the binder stops at the first and names a type instead of a path. A test keeps this table
/// and the model in step.
/// </summary>
public static class ConfigurationSchema
{
    public enum ValueKind { String, Int32, UInt64, Double, Boolean }

    private static readonly Dictionary<string, ValueKind> Leaves = Build();
    private static readonly HashSet<string> Sections = Leaves.Keys
        .SelectMany(path => Prefixes(path))
        .ToHashSet(StringComparer.Ordinal);

    /// <summary>Leaf paths in lower case, list indices as '*'.</summary>
    public static IReadOnlyDictionary<string, ValueKind> KnownLeaves => Leaves;

    private static Dictionary<string, ValueKind> Build()
    {
        var s = ValueKind.String;
        var i = ValueKind.Int32;
        var d = ValueKind.Double;
        var b = ValueKind.Boolean;
        var u = ValueKind.UInt64;
        var leaves = new Dictionary<string, ValueKind>(StringComparer.Ordinal)
        {
            ["nodename"] = s, ["role"] = s, ["statedirectory"] = s, ["authorities:*"] = s, ["certificatefile"] = s,
            ["meshinterfaces:*"] = s, ["clientprefixes:*"] = s, ["controlsocket"] = s, ["loglevel"] = s, ["dryrun"] = b,
            ["gossip:port"] = i, ["gossip:listenaddresses:*"] = s, ["gossip:bindinterface"] = s, ["gossip:seeds:*"] = s,
            ["wireguard:listenport"] = i, ["wireguard:privatekeyfile"] = s, ["wireguard:interfaceprefix"] = s,
            ["wireguard:mtu"] = i, ["wireguard:persistentkeepaliveseconds"] = i,
            ["routing:table"] = i, ["routing:rulepriority"] = i, ["routing:resilientbuckets"] = i, ["routing:idletimerseconds"] = i,
            ["trafficclasses:*:name"] = s, ["trafficclasses:*:strategy"] = s, ["trafficclasses:*:gateway"] = s, ["trafficclasses:*:failover"] = b,
            ["trafficclasses:*:match:protocol"] = s, ["trafficclasses:*:match:ports:*"] = i, ["trafficclasses:*:match:dscp:*"] = i,
            ["gateway:waninterface"] = s, ["gateway:capacitydownbps"] = u, ["gateway:capacityupbps"] = u,
            ["gateway:probetargets:*:kind"] = s, ["gateway:probetargets:*:address"] = s, ["gateway:probeintervalms"] = i,
            ["metrics:listenaddress"] = s, ["webadmin:listenaddress"] = s, ["webadmin:passwordhash"] = s, ["discovery:enabled"] = b,
        };
        foreach (var timing in new[] { "probeintervalms", "probetimeoutms", "indirectchecks", "urgentfanout", "pushpullintervalms",
                     "gatewayprobeintervalms", "gatewayprobetimeoutms", "gatewayroundtimeoutms", "gatewayfailedroundstounusable",
                     "gatewayindirectchecks", "tombstoneretentionms", "maxclockskewms", "maxawareness", "recordrefreshintervalms" })
            leaves["gossip:timing:" + timing] = i;
        foreach (var timing in new[] { "suspicionmultiplier", "suspicionmaxmultiplier", "retransmitmultiplier" })
            leaves["gossip:timing:" + timing] = d;
        return leaves;
    }

    /// <summary>Every unknown key and every value of the wrong type, as "key: why" with keys as written (dotted, [index]).</summary>
    public static IReadOnlyList<string> Check(IConfiguration configuration)
    {
        var errors = new List<string>();
        var reportedUnknown = new List<string>();
        foreach (var (key, value) in configuration.AsEnumerable().OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            var pattern = Pattern(key);
            if (Leaves.TryGetValue(pattern, out var kind))
            {
                if (value is not null && !Parses(kind, value))
                    errors.Add($"{Display(key)}: '{value}' is not {Describe(kind)}");
                continue;
            }
            if (Sections.Contains(pattern))
            {
                // A section written as a scalar ("gossip": 5) binds to nothing: say so instead of ignoring it.
                if (!string.IsNullOrEmpty(value)) errors.Add($"{Display(key)}: must be {(IsList(pattern) ? "a list" : "an object")}, not '{value}'");
                continue;
            }
            if (reportedUnknown.Any(u => key.StartsWith(u + ConfigurationPath.KeyDelimiter, StringComparison.OrdinalIgnoreCase))) continue;
            reportedUnknown.Add(key);
            errors.Add($"{Display(key)}: unknown key");
        }
        return errors;
    }

    /// <summary>"gossip:seeds:0" → "gossip.seeds[0]".</summary>
    public static string Display(string key)
    {
        var parts = key.Split(ConfigurationPath.KeyDelimiter);
        var text = new System.Text.StringBuilder();
        foreach (var part in parts)
        {
            if (IsIndex(part)) text.Append('[').Append(part).Append(']');
            else
            {
                if (text.Length > 0) text.Append('.');
                text.Append(part);
            }
        }
        return text.ToString();
    }

    private static string Pattern(string key) =>
        string.Join(':', key.Split(ConfigurationPath.KeyDelimiter).Select(p => IsIndex(p) ? "*" : p.ToLowerInvariant()));

    private static bool IsList(string pattern) => Leaves.Keys.Any(l => l.StartsWith(pattern + ":*", StringComparison.Ordinal));

    private static IEnumerable<string> Prefixes(string path)
    {
        for (int i = path.IndexOf(':'); i > 0; i = path.IndexOf(':', i + 1)) yield return path[..i];
    }

    private static bool IsIndex(string part) => part.Length > 0 && part.All(char.IsAsciiDigit);

    private static bool Parses(ValueKind kind, string value) => kind switch
    {
        ValueKind.String => true,
        ValueKind.Int32 => int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out _),
        ValueKind.UInt64 => ulong.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out _),
        ValueKind.Double => double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out _),
        ValueKind.Boolean => bool.TryParse(value, out _),
        _ => false,
    };

    private static string Describe(ValueKind kind) => kind switch
    {
        ValueKind.Int32 => "an integer",
        ValueKind.UInt64 => "a non-negative integer",
        ValueKind.Double => "a number",
        ValueKind.Boolean => "true or false",
        _ => "text",
    };
}
