using Microsoft.Extensions.Logging;

namespace Evernet.Dataplane;

internal static partial class DataplaneLog
{
    [LoggerMessage(Level = LogLevel.Information, Message = "dataplane: {Command}")]
    public static partial void Mutating(ILogger logger, string command);

    [LoggerMessage(Level = LogLevel.Warning, Message = "dataplane command failed ({ExitCode}): {Command}: {Error}")]
    public static partial void CommandFailed(ILogger logger, int exitCode, string command, string error);

    [LoggerMessage(Level = LogLevel.Information, Message = "dataplane multipath mode: {Mode}")]
    public static partial void MultipathModeChosen(ILogger logger, MultipathMode mode);

    [LoggerMessage(Level = LogLevel.Information, Message = "no WireGuard kernel module; using wireguard-go for {Interface}")]
    public static partial void UsingWireGuardGo(ILogger logger, string @interface);

    [LoggerMessage(Level = LogLevel.Debug, Message = "dataplane {Operation} done in {Milliseconds:0.0} ms: {Commands} commands, {Mutations} changes")]
    public static partial void Applied(ILogger logger, string operation, double milliseconds, int commands, int mutations);

    [LoggerMessage(Level = LogLevel.Error, Message = "dataplane {Operation} error ({Kind}): {Message}")]
    public static partial void ApplyError(ILogger logger, string operation, DataplaneErrorKind kind, string message);
}
