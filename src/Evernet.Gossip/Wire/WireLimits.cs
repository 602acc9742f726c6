namespace Evernet.Gossip.Wire;

/// <summary>Hard bounds of the wire format; every decoder checks them before it allocates.</summary>
public static class WireLimits
{
    /// <summary>Fits a WireGuard-over-mesh path MTU (1280 IPv6 minimum, minus WireGuard, UDP and IP headers).</summary>
    public const int MaxDatagram = 1200;
    public const int MaxItemsPerMessage = 32;
    public const int MaxDigestEntriesPerMessage = 64;
    /// <summary>32 ranges of the widest encoding (33 bytes each: 1,078 bytes in all) fit a datagram.</summary>
    public const int MaxSummaryRangesPerMessage = 32;
    public const int MaxAddresses = 8;
    public const int MaxClientPrefixes = 16;
    public const int MaxProbeTargets = 8;
    public const int MaxStringBytes = 64;
    public const int MaxAddressBytes = 64;
    public const int SignatureSize = 64;
    public const int WireGuardKeySize = 32;
    public const byte ProtocolVersion = 1;
}
