namespace Evernet.Dataplane.Commands;

/// <summary>The external programs the dataplane drives, and what to install when one is missing.</summary>
public static class DataplaneBinaries
{
    public const string Ip = "ip";
    public const string Wg = "wg";
    public const string Nft = "nft";
    public const string WireGuardGo = "wireguard-go";
    public const string Sysctl = "sysctl";

    public static string InstallHint(string program) => program switch
    {
        Ip => "iproute2",
        Wg => "wireguard-tools",
        Nft => "nftables",
        WireGuardGo => "wireguard-go (the kernel has no WireGuard module)",
        Sysctl => "procps",
        _ => "the package that provides it",
    };
}
