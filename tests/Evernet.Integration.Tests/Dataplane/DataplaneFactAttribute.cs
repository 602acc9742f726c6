using Evernet.Integration.Tests.Infrastructure;

namespace Evernet.Integration.Tests.Dataplane;

/// <summary>A fact that needs root and network namespaces; with <see cref="WireGuard"/> also wireguard-go, wg and nft. Skips with the reason otherwise.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class DataplaneFactAttribute : FactAttribute
{
    private bool _wireGuard = true;

    public DataplaneFactAttribute() => Skip = NetNs.WireGuardSkipReason;

    public bool WireGuard
    {
        get => _wireGuard;
        set
        {
            _wireGuard = value;
            Skip = value ? NetNs.WireGuardSkipReason : NetNs.SkipReason;
        }
    }
}
