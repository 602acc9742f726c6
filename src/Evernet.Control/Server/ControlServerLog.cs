using Microsoft.Extensions.Logging;

namespace Evernet.Control.Server;

internal static partial class ControlServerLog
{
    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "Control socket listening on {Path} (mode {Mode}, group {Group})")]
    public static partial void Listening(ILogger logger, string path, string mode, string group);

    [LoggerMessage(EventId = 2, Level = LogLevel.Information, Message = "Group {Group} does not exist: control socket {Path} keeps its default group")]
    public static partial void GroupMissing(ILogger logger, string group, string path);

    [LoggerMessage(EventId = 3, Level = LogLevel.Warning, Message = "Could not give control socket {Path} group {Group}")]
    public static partial void GroupFailed(ILogger logger, string path, string group, Exception exception);

    [LoggerMessage(EventId = 4, Level = LogLevel.Information, Message = "Removed stale control socket {Path}")]
    public static partial void RemovedStale(ILogger logger, string path);

    [LoggerMessage(EventId = 5, Level = LogLevel.Debug, Message = "Control request refused: {Code}: {Message}")]
    public static partial void Refused(ILogger logger, string code, string message);

    [LoggerMessage(EventId = 6, Level = LogLevel.Error, Message = "Control command {Command} failed")]
    public static partial void CommandFailed(ILogger logger, string command, Exception exception);

    [LoggerMessage(EventId = 7, Level = LogLevel.Debug, Message = "Control connection ended with an error")]
    public static partial void ConnectionFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 8, Level = LogLevel.Warning, Message = "Accepting a control connection failed")]
    public static partial void AcceptFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 9, Level = LogLevel.Warning, Message = "Too many control connections ({Max}): refused one")]
    public static partial void Busy(ILogger logger, int max);
}
