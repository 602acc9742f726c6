using System.Security.Cryptography;
using NSec.Cryptography;

namespace Evernet.Daemon.State;

/// <summary>
/// The router's WireGuard (X25519) key: only its file path and public half leave this type; the dataplane passes the path
/// to `wg set ... private-key`. The public key is what the certificate must carry.
/// </summary>
public sealed record WireGuardKey(string PrivateKeyFile, byte[] PublicKey)
{
    public string PublicKeyBase64 => Convert.ToBase64String(PublicKey);

    /// <summary>Reads the key file, or creates it (clamped, as `wg genkey` does) when <paramref name="createIfMissing"/>.</summary>
    public static (WireGuardKey Key, bool Created) LoadOrCreate(string path, bool createIfMissing)
    {
        bool created = false;
        if (!File.Exists(path))
        {
            if (!createIfMissing) throw new StateFileException($"{path}: WireGuard private key not found");
            var secret = RandomNumberGenerator.GetBytes(SecretKeyFile.KeySize);
            try
            {
                Clamp(secret);
                SecretKeyFile.Write(path, secret);
            }
            finally
            {
                CryptographicOperations.ZeroMemory(secret);
            }
            created = true;
        }
        var privateKey = SecretKeyFile.Read(path);
        try
        {
            return (new WireGuardKey(path, PublicKeyOf(privateKey, path)), created);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(privateKey);
        }
    }

    private static byte[] PublicKeyOf(byte[] privateKey, string source)
    {
        try
        {
            using var key = Key.Import(KeyAgreementAlgorithm.X25519, privateKey, KeyBlobFormat.RawPrivateKey);
            return key.PublicKey.Export(KeyBlobFormat.RawPublicKey);
        }
        catch (FormatException e)
        {
            throw new StateFileException($"{source}: not a valid X25519 private key", e);
        }
    }

    /// <summary>RFC 7748 clamping, what `wg genkey` applies.</summary>
    private static void Clamp(Span<byte> key)
    {
        key[0] &= 248;
        key[31] &= 127;
        key[31] |= 64;
    }
}
