using Microsoft.Extensions.Logging;

namespace Evernet.Daemon.Transport;

internal static partial class TransportLog
{
    [LoggerMessage(EventId = 4001, Level = LogLevel.Information, Message = "gossip transport listening on {Endpoints}")]
    public static partial void Listening(ILogger logger, string endpoints);

    [LoggerMessage(EventId = 4002, Level = LogLevel.Warning, Message = "gossip receive on {Endpoint} failed: {Error}")]
    public static partial void ReceiveFailed(ILogger logger, string endpoint, string error);

    [LoggerMessage(EventId = 4003, Level = LogLevel.Debug, Message = "gossip send to {Destination} failed: {Error}")]
    public static partial void SendFailed(ILogger logger, string destination, string error);

    [LoggerMessage(EventId = 4004, Level = LogLevel.Debug, Message = "gossip send to unusable address '{Destination}'")]
    public static partial void BadAddress(ILogger logger, string destination);
}
