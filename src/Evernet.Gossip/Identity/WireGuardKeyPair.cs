using System.Security.Cryptography;
using NSec.Cryptography;

namespace Evernet.Gossip.Identity;

/// <summary>
/// A WireGuard (X25519) key pair. Keys are exchanged with <c>wg</c> as base64 of the 32 raw bytes. Private keys are
/// clamped the way <c>wg genkey</c> clamps them, so an exported key is byte-for-byte what wg itself would write.
/// </summary>
public sealed class WireGuardKeyPair : IDisposable
{
    public const int KeySize = 32;
    private static readonly KeyAgreementAlgorithm Algorithm = KeyAgreementAlgorithm.X25519;
    private readonly Key _key;
    private readonly byte[] _publicKey;

    private WireGuardKeyPair(Key key)
    {
        _key = key;
        _publicKey = key.PublicKey.Export(KeyBlobFormat.RawPublicKey);
    }

    /// <summary>The 32-byte public key (a copy is cheap to keep: the array is never written after construction).</summary>
    public ReadOnlyMemory<byte> PublicKey => _publicKey;

    public string PublicKeyBase64 => Convert.ToBase64String(_publicKey);

    public static WireGuardKeyPair Generate()
    {
        Span<byte> privateKey = stackalloc byte[KeySize];
        RandomNumberGenerator.Fill(privateKey);
        try
        {
            return FromPrivateKey(privateKey);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(privateKey);
        }
    }

    /// <summary>From the 32 raw private-key bytes (as in a wg private key file, after base64 decoding).</summary>
    public static WireGuardKeyPair FromPrivateKey(ReadOnlySpan<byte> privateKey)
    {
        if (privateKey.Length != KeySize) throw new ArgumentException($"a WireGuard private key is {KeySize} bytes, got {privateKey.Length}", nameof(privateKey));
        Span<byte> clamped = stackalloc byte[KeySize];
        privateKey.CopyTo(clamped);
        Clamp(clamped);
        try
        {
            return new WireGuardKeyPair(Key.Import(Algorithm, clamped, KeyBlobFormat.RawPrivateKey,
                new KeyCreationParameters { ExportPolicy = KeyExportPolicies.AllowPlaintextExport }));
        }
        finally
        {
            CryptographicOperations.ZeroMemory(clamped);
        }
    }

    /// <summary>Deterministic key from a 32-byte seed (the simulator). The seed is hashed with a domain tag first, so the
    /// same seed used for a node's Ed25519 key yields an unrelated WireGuard key.</summary>
    public static WireGuardKeyPair FromSeed(ReadOnlySpan<byte> seed)
    {
        if (seed.Length != KeySize) throw new ArgumentException($"a seed is {KeySize} bytes, got {seed.Length}", nameof(seed));
        ReadOnlySpan<byte> domain = "evernet/wireguard-seed/v1"u8;
        Span<byte> input = stackalloc byte[domain.Length + KeySize];
        domain.CopyTo(input);
        seed.CopyTo(input[domain.Length..]);
        Span<byte> privateKey = stackalloc byte[KeySize];
        SHA256.HashData(input, privateKey);
        try
        {
            return FromPrivateKey(privateKey);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(privateKey);
            CryptographicOperations.ZeroMemory(input);
        }
    }

    /// <summary>From a base64 private key as <c>wg genkey</c> writes it (surrounding whitespace allowed).</summary>
    public static WireGuardKeyPair FromPrivateKeyBase64(string privateKeyBase64)
    {
        if (!TryDecodeKey(privateKeyBase64, out var bytes))
            throw new FormatException("not a WireGuard key: expected base64 of 32 bytes (44 characters)");
        try
        {
            return FromPrivateKey(bytes);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(bytes);
        }
    }

    public byte[] ExportPrivateKey() => _key.Export(KeyBlobFormat.RawPrivateKey);

    public string ExportPrivateKeyBase64()
    {
        var bytes = ExportPrivateKey();
        try
        {
            return Convert.ToBase64String(bytes);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(bytes);
        }
    }

    /// <summary>Base64 of a raw 32-byte key, as wg expects it.</summary>
    public static string ToBase64(ReadOnlySpan<byte> key)
    {
        if (key.Length != KeySize) throw new ArgumentException($"a WireGuard key is {KeySize} bytes, got {key.Length}", nameof(key));
        return Convert.ToBase64String(key);
    }

    /// <summary>Parses a wg key (public or private): base64 of exactly 32 bytes. Never throws.</summary>
    public static bool TryDecodeKey(string? base64, out byte[] key)
    {
        key = [];
        if (base64 is null) return false;
        var trimmed = base64.AsSpan().Trim();
        if (trimmed.Length != 44) return false;
        Span<byte> buffer = stackalloc byte[33];
        if (!Convert.TryFromBase64Chars(trimmed, buffer, out int written) || written != KeySize) return false;
        key = buffer[..KeySize].ToArray();
        return true;
    }

    private static void Clamp(Span<byte> key)
    {
        key[0] &= 248;
        key[31] &= 127;
        key[31] |= 64;
    }

    public void Dispose() => _key.Dispose();
}
