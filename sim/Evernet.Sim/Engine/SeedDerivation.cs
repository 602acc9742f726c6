namespace Evernet.Sim.Engine;

/// <summary>
/// Independent, reproducible sub-seeds from one run seed: one per purpose and index, so that adding a random draw in one
/// component (say, the network) never shifts the sequence another component (a node) sees.
/// </summary>
public static class SeedDerivation
{
    public const ulong NodeRandom = 0x6E6F_6465_5F72_6E64UL;
    public const ulong NodeKey = 0x6E6F_6465_5F6B_6579UL;
    public const ulong WireGuardKey = 0x7767_5F6B_6579_0000UL;
    public const ulong AuthorityKey = 0x6175_7468_6F72_6974UL;
    public const ulong Network = 0x6E65_7477_6F72_6B00UL;
    public const ulong Topology = 0x746F_706F_6C6F_6779UL;
    public const ulong Scenario = 0x7363_656E_6172_696FUL;
    public const ulong Gateway = 0x6761_7465_7761_7900UL;

    public static ulong Derive(ulong seed, ulong purpose, long index = 0)
    {
        ulong x = seed ^ Mix(purpose) ^ Mix((ulong)index * 0xD1B54A32D192ED03UL + 1);
        return Mix(x);
    }

    /// <summary>A 32-byte key seed (Ed25519 private seed or WireGuard key bytes).</summary>
    public static byte[] DeriveBytes32(ulong seed, ulong purpose, long index)
    {
        var bytes = new byte[32];
        ulong state = Derive(seed, purpose, index);
        for (int i = 0; i < 4; i++)
        {
            state = Mix(state + 0x9E3779B97F4A7C15UL);
            System.Buffers.Binary.BinaryPrimitives.WriteUInt64LittleEndian(bytes.AsSpan(i * 8), state);
        }
        return bytes;
    }

    // splitmix64 finaliser: a bijective avalanche of 64 bits
    private static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
