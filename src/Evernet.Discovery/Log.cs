using Microsoft.Extensions.Logging;

namespace Evernet.Discovery;

internal static partial class Log
{
    [LoggerMessage(EventId = 3001, Level = LogLevel.Information, Message = "mDNS discovery started as '{Instance}' on {Interfaces} (port {Port})")]
    public static partial void Started(ILogger logger, string instance, string interfaces, int port);

    [LoggerMessage(EventId = 3002, Level = LogLevel.Information, Message = "mDNS discovery stopped (goodbyes sent)")]
    public static partial void Stopped(ILogger logger);

    [LoggerMessage(EventId = 3003, Level = LogLevel.Information, Message = "neighbour {Instance} on {Interface}: {Address} fp={Fingerprint} pv={Version}")]
    public static partial void PeerDiscovered(ILogger logger, string instance, string @interface, string address, string fingerprint, byte version);

    [LoggerMessage(EventId = 3004, Level = LogLevel.Information, Message = "neighbour {Instance} on {Interface} lost ({Reason})")]
    public static partial void PeerLost(ILogger logger, string instance, string @interface, PeerLostReason reason);

    [LoggerMessage(EventId = 3005, Level = LogLevel.Debug, Message = "mDNS send on {Interface} failed: {Error}")]
    public static partial void SendFailed(ILogger logger, string @interface, string error);

    [LoggerMessage(EventId = 3006, Level = LogLevel.Warning, Message = "mDNS receive on {Interface} failed: {Error}")]
    public static partial void ReceiveFailed(ILogger logger, string @interface, string error);

    [LoggerMessage(EventId = 3007, Level = LogLevel.Error, Message = "mDNS packet from {From} on {Interface} could not be processed")]
    public static partial void ProcessingFailed(ILogger logger, Exception exception, string from, string @interface);
}
