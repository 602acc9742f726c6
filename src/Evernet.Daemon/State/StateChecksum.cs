using System.Security.Cryptography;

namespace Evernet.Daemon.State;

/// <summary>The integrity check of state files: the first 8 bytes of SHA-256, in hex. Catches torn and bit-flipped files, not attackers.</summary>
internal static class StateChecksum
{
    public static string Hex(ReadOnlySpan<byte> content)
    {
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(content, hash);
        return Convert.ToHexStringLower(hash[..8]);
    }
}
