namespace Evernet.Control.Dtos;

/// <summary>Answer to "gateways": the same per-gateway detail as in "status", without the node header.</summary>
public sealed record GatewaysData(long AtUnixMs, IReadOnlyList<GatewayStatus> Gateways);
