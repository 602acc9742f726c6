using Evernet.Dataplane.Commands;

namespace Evernet.Dataplane;

/// <summary>Base of every typed dataplane failure; the applier catches these and reports them in its status instead of crashing the host.</summary>
public abstract class DataplaneException(string message, Exception? innerException = null) : Exception(message, innerException)
{
    public abstract DataplaneErrorKind Kind { get; }
}

public sealed class MissingBinaryException(string program)
    : DataplaneException($"`{program}` not found in PATH: install {DataplaneBinaries.InstallHint(program)}")
{
    public string Program { get; } = program;

    public override DataplaneErrorKind Kind => DataplaneErrorKind.MissingBinary;
}

public sealed class CommandFailedException(Command command, CommandResult result)
    : DataplaneException($"`{command}` failed with exit code {result.ExitCode}: {FirstLine(result.StandardError)}")
{
    public Command Command { get; } = command;

    public CommandResult Result { get; } = result;

    public override DataplaneErrorKind Kind => DataplaneErrorKind.CommandFailed;

    private static string FirstLine(string text)
    {
        var trimmed = text.Trim();
        var newline = trimmed.IndexOf('\n', StringComparison.Ordinal);
        return newline < 0 ? trimmed : trimmed[..newline];
    }
}

public sealed class CommandTimeoutException(Command command, TimeSpan timeout)
    : DataplaneException($"`{command}` did not finish within {timeout.TotalSeconds:0.#} s and was killed")
{
    public Command Command { get; } = command;

    public override DataplaneErrorKind Kind => DataplaneErrorKind.CommandTimeout;
}

public sealed class DataplaneConfigurationException(string message) : DataplaneException(message)
{
    public override DataplaneErrorKind Kind => DataplaneErrorKind.InvalidConfiguration;
}

public sealed class UnexpectedOutputException(string message, Exception? innerException = null) : DataplaneException(message, innerException)
{
    public override DataplaneErrorKind Kind => DataplaneErrorKind.UnexpectedOutput;
}
