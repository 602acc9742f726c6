using NSec.Cryptography;

namespace Evernet.Ctl.Ceremony;

/// <summary>
/// A WireGuard (X25519) key pair, as `wg genkey | wg pubkey` would make it.
/// Interim: Evernet.Gossip.Identity.WireGuardKeyPair is to replace this once it exists on main.
/// </summary>
internal static class WireGuardKeyGenerator
{
    public static (byte[] PrivateKey, byte[] PublicKey) Generate()
    {
        using var key = Key.Create(KeyAgreementAlgorithm.X25519, new KeyCreationParameters { ExportPolicy = KeyExportPolicies.AllowPlaintextExport });
        byte[] privateKey = key.Export(KeyBlobFormat.RawPrivateKey);
        byte[] publicKey = key.PublicKey.Export(KeyBlobFormat.RawPublicKey);
        // Clamp like `wg genkey`. X25519 clamps the scalar on every use anyway, so the public key is unchanged.
        privateKey[0] &= 248;
        privateKey[31] &= 127;
        privateKey[31] |= 64;
        return (privateKey, publicKey);
    }
}
