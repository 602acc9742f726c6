using System.Collections.Immutable;

namespace Evernet.Dataplane;

/// <summary>Snapshot of the dataplane for status output and metrics; replaced as a whole after every apply.</summary>
public sealed record DataplaneStatus(
    DataplaneHealth Health,
    WireGuardImplementation WireGuard,
    MultipathMode Multipath,
    DateTimeOffset? LastApplyAt,
    TimeSpan? LastApplyDuration,
    int LastApplyMutations,
    DataplaneError? LastError,
    long ApplyCount,
    long ErrorCount,
    ImmutableArray<InstalledMultipathGroup> Groups)
{
    public static DataplaneStatus Initial { get; } =
        new(DataplaneHealth.NotApplied, WireGuardImplementation.Unknown, MultipathMode.Unknown, null, null, 0, null, 0, 0, []);
}

public enum DataplaneHealth : byte
{
    NotApplied = 0,
    Healthy = 1,
    Failed = 2,
}

public enum WireGuardImplementation : byte
{
    Unknown = 0,

    /// <summary>In-kernel WireGuard (<c>ip link add type wireguard</c>).</summary>
    Kernel = 1,

    /// <summary>Userspace <c>wireguard-go</c> on a TUN device.</summary>
    WireGuardGo = 2,
}

public enum MultipathMode : byte
{
    Unknown = 0,

    /// <summary>Weighted resilient nexthop group: a weight change moves only idle buckets.</summary>
    ResilientNexthopGroup = 1,

    /// <summary>Fallback: nftables picks a gateway per new connection and stores it in the connection mark.</summary>
    ConnectionMark = 2,
}

/// <summary>
/// A multipath table as read back from the system: in resilient mode the nexthop group (<c>ip -j nexthop</c>), in
/// connection-mark mode the per-gateway tables with the weights programmed into nftables.
/// </summary>
public sealed record InstalledMultipathGroup(int Table, IpFamily Family, uint? GroupId, ImmutableArray<InstalledGatewayWeight> Members);

public sealed record InstalledGatewayWeight(string Interface, string? Via, int Weight, uint? NexthopId, uint? ConnectionMark);

public sealed record DataplaneError(DataplaneErrorKind Kind, string Message, DateTimeOffset At);

/// <summary>Outcome of one apply or reconcile. <see cref="Mutations"/> counts the commands that changed something.</summary>
public sealed record DataplaneApplyResult(bool Succeeded, TimeSpan Duration, int Commands, int Mutations, ImmutableArray<DataplaneError> Errors);
