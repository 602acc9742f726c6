using Evernet.Integration.Tests.Infrastructure;

namespace Evernet.Integration.Tests.Testbed;

/// <summary>
/// An end-to-end fact on the namespace testbed with evernetd on every router: needs root, iproute2, nftables,
/// wireguard-go and wg. Skipped with the reason otherwise; CI runs as root with all of them installed, so there it runs.
/// </summary>
public sealed class EvernetFactAttribute : FactAttribute
{
    public EvernetFactAttribute()
    {
        if (Reason is { } reason)
        {
            Skip = reason;
        }
    }

    /// <summary>Why the end-to-end tests cannot run here, or null.</summary>
    internal static string? Reason => !TestbedEnvironment.IsRoot
        ? "needs root: the testbed creates network namespaces and evernetd programs WireGuard, routes and nftables"
        : NetNs.WireGuardSkipReason;
}
