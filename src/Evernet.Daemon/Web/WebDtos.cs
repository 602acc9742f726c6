using Evernet.Control.Dtos;

namespace Evernet.Daemon.Web;

/// <summary>
/// What an open page gets every <see cref="WebAdminOptions.LiveInterval"/> (server-sent event "snapshot", or GET /api/snapshot).
/// Each part is the control DTO evernetctl --json prints, or null when the daemon could not give it (the reason is in <see cref="Errors"/>).
/// <see cref="HistoryVersion"/> changes when the gateway history took a sample: the page then fetches /api/history.
/// </summary>
public sealed record LiveSnapshot(
    long Sequence,
    StatusData? Status,
    MembersData? Members,
    RoutesData? Routes,
    EventsData? Events,
    long HistoryVersion,
    IReadOnlyList<string> Errors);

/// <summary>The gateway history: one series per gateway, oldest sample first, columns of equal length.</summary>
public sealed record GatewayHistoryData(long AtUnixMs, double IntervalSeconds, double WindowSeconds, long Version, IReadOnlyList<GatewaySeries> Gateways);

/// <summary>
/// One gateway's samples as columns (a third of the size of one object per sample). <see cref="AtUnixMs"/> is the daemon's
/// snapshot time of each sample; the other columns are the <see cref="GatewayStatus"/> fields of the same name.
/// </summary>
public sealed record GatewaySeries(
    string Name,
    string NodeId,
    IReadOnlyList<long> AtUnixMs,
    IReadOnlyList<string?> Uplink,
    IReadOnlyList<double?> UplinkLossPercent,
    IReadOnlyList<double?> UplinkRttMs,
    IReadOnlyList<double?> PathLossPercent,
    IReadOnlyList<double?> PathRttMs,
    IReadOnlyList<double?> LoadPercent,
    IReadOnlyList<double> SharePercent,
    IReadOnlyList<bool> Usable);

/// <summary>
/// GET /api/session. <see cref="ActionsEnabled"/> is false when no password hash is configured.
/// <see cref="CsrfToken"/> (only for a logged-in page) goes into the X-CSRF-Token header of every POST.
/// </summary>
public sealed record SessionInfo(bool Authenticated, bool ActionsEnabled, string? CsrfToken, long? ExpiresAtUnixMs, double IdleTimeoutSeconds);

public sealed record LoginRequest(string Password);

/// <summary>Every error answer of the web API: a stable code and a sentence for people.</summary>
public sealed record WebError(string Error, string Message);
