using System.Net;
using Microsoft.Extensions.Logging;

namespace Evernet.Daemon.Web;

internal static partial class WebAdminLog
{
    [LoggerMessage(EventId = 6000, Level = LogLevel.Information, Message = "web admin interface listening on http://{Endpoint} (actions {Actions})")]
    public static partial void Listening(ILogger logger, string endpoint, string actions);

    [LoggerMessage(EventId = 6001, Level = LogLevel.Information, Message = "web admin interface disabled")]
    public static partial void Disabled(ILogger logger);

    [LoggerMessage(EventId = 6002, Level = LogLevel.Information, Message = "web admin login from {Client}")]
    public static partial void LoginSucceeded(ILogger logger, IPAddress? client);

    [LoggerMessage(EventId = 6003, Level = LogLevel.Warning, Message = "web admin login from {Client} refused: wrong password")]
    public static partial void LoginFailed(ILogger logger, IPAddress? client);

    [LoggerMessage(EventId = 6004, Level = LogLevel.Warning, Message = "web admin login from {Client} throttled for {RetryAfterSeconds} s")]
    public static partial void LoginThrottled(ILogger logger, IPAddress? client, int retryAfterSeconds);

    [LoggerMessage(EventId = 6005, Level = LogLevel.Information, Message = "web admin action '{Action}' by session of {Client}: {Outcome}")]
    public static partial void Action(ILogger logger, string action, string client, string outcome);

    [LoggerMessage(EventId = 6006, Level = LogLevel.Warning, Message = "web admin: control call '{Call}' failed")]
    public static partial void CallFailed(ILogger logger, string call, Exception exception);

    [LoggerMessage(EventId = 6007, Level = LogLevel.Warning, Message = "web admin: refused request for host '{Host}' from {Client} (not an allowed host name)")]
    public static partial void HostRefused(ILogger logger, string host, IPAddress? client);

    [LoggerMessage(EventId = 6008, Level = LogLevel.Error, Message = "web admin: unhandled error serving {Path}")]
    public static partial void RequestFailed(ILogger logger, string path, Exception exception);

    [LoggerMessage(EventId = 6009, Level = LogLevel.Warning, Message = "web admin: background task '{Task}' failed")]
    public static partial void BackgroundFailed(ILogger logger, string task, Exception exception);
}
