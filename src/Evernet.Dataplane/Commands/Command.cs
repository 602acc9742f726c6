using System.Collections.Immutable;
using System.Text;

namespace Evernet.Dataplane.Commands;

/// <summary>
/// One program invocation as an argument list (never a shell string, so no quoting bugs and no injection).
/// Secrets never appear here: private keys are passed as file paths.
/// </summary>
public sealed record Command(string Program, ImmutableArray<string> Arguments, CommandKind Kind)
{
    /// <summary>Fed to the program's standard input (e.g. an nftables script for <c>nft -f -</c>).</summary>
    public string? StandardInput { get; init; }

    /// <summary>Environment variables removed for the child (wireguard-go must not inherit LOG_LEVEL, or it keeps our pipes open).</summary>
    public ImmutableArray<string> UnsetEnvironment { get; init; } = [];

    public static Command Read(string program, params ImmutableArray<string> arguments) => new(program, arguments, CommandKind.Read);

    public static Command Mutate(string program, params ImmutableArray<string> arguments) => new(program, arguments, CommandKind.Mutate);

    public static Command Probe(string program, params ImmutableArray<string> arguments) => new(program, arguments, CommandKind.Probe);

    /// <summary>Copy-pasteable shell rendering for logs and dry-run output; a standard input script is shown as a here-document.</summary>
    public string ToDisplayString(string? networkNamespace = null)
    {
        var builder = new StringBuilder();
        if (networkNamespace is not null)
        {
            builder.Append("ip netns exec ").Append(ShellQuote(networkNamespace)).Append(' ');
        }

        builder.Append(ShellQuote(Program));
        foreach (var argument in Arguments)
        {
            builder.Append(' ').Append(ShellQuote(argument));
        }

        if (StandardInput is not null)
        {
            builder.Append(" <<'EOF'\n").Append(StandardInput);
            if (!StandardInput.EndsWith('\n'))
            {
                builder.Append('\n');
            }

            builder.Append("EOF");
        }

        return builder.ToString();
    }

    public override string ToString() => ToDisplayString();

    public bool Equals(Command? other) =>
        other is not null
        && Program == other.Program
        && Kind == other.Kind
        && StandardInput == other.StandardInput
        && Arguments.SequenceEqual(other.Arguments)
        && UnsetEnvironment.SequenceEqual(other.UnsetEnvironment);

    public override int GetHashCode()
    {
        var hash = new HashCode();
        hash.Add(Program);
        hash.Add(Kind);
        hash.Add(StandardInput);
        foreach (var argument in Arguments)
        {
            hash.Add(argument);
        }

        return hash.ToHashCode();
    }

    private static string ShellQuote(string value)
    {
        if (value.Length > 0 && value.All(static c => char.IsAsciiLetterOrDigit(c) || "-_./:,=@%+".Contains(c)))
        {
            return value;
        }

        return "'" + value.Replace("'", "'\\''", StringComparison.Ordinal) + "'";
    }
}
