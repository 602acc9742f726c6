using System.Buffers.Binary;
using System.Security.Cryptography;
using Evernet.Gossip.Identity;

namespace Evernet.Policy;

/// <summary>
/// Deterministic hashing: the same inputs give the same numbers on every node, runtime and machine
/// (string.GetHashCode is randomised per process and must never be used for anything that has to agree across nodes).
/// </summary>
public static class StableHash
{
    /// <summary>splitmix64 finaliser over (seed, salt): cheap, well mixed, stable.</summary>
    public static ulong Mix(ulong seed, ulong salt)
    {
        ulong z = seed ^ (salt * 0x9E3779B97F4A7C15UL) ^ 0xD1B54A32D192ED03UL;
        z += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>Uniform in [0, 1), a pure function of (seed, salt).</summary>
    public static double Unit(ulong seed, ulong salt) => (Mix(seed, salt) >> 11) * (1.0 / (1UL << 53));

    /// <summary>Uniform in [-1, 1), a pure function of (seed, salt).</summary>
    public static double Symmetric(ulong seed, ulong salt) => 2 * Unit(seed, salt) - 1;

    /// <summary>The per-node seed used for jitter: derived from the node id so it is stable across restarts and distinct per node.</summary>
    public static ulong SeedFor(NodeId node)
    {
        Span<byte> bytes = stackalloc byte[NodeId.Size];
        node.CopyTo(bytes);
        Span<byte> digest = stackalloc byte[32];
        SHA256.HashData(bytes, digest);
        return BinaryPrimitives.ReadUInt64BigEndian(digest);
    }

    /// <summary>SHA-256 of (data, counter); the counter lets collision resolution re-hash deterministically.</summary>
    public static void Digest(ReadOnlySpan<byte> data, uint counter, Span<byte> destination32)
    {
        Span<byte> buffer = data.Length <= 256 ? stackalloc byte[data.Length + 4] : new byte[data.Length + 4];
        data.CopyTo(buffer);
        BinaryPrimitives.WriteUInt32BigEndian(buffer[data.Length..], counter);
        SHA256.HashData(buffer, destination32);
    }
}
