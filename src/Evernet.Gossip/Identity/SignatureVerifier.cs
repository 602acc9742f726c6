using NSec.Cryptography;

namespace Evernet.Gossip.Identity;

public interface ISignatureVerifier
{
    bool Verify(NodeId signer, ReadOnlySpan<byte> data, ReadOnlySpan<byte> signature);
}

/// <summary>Plain Ed25519 verification through libsodium.</summary>
public sealed class Ed25519Verifier : ISignatureVerifier
{
    public bool Verify(NodeId signer, ReadOnlySpan<byte> data, ReadOnlySpan<byte> signature)
    {
        if (signature.Length != 64) return false;
        Span<byte> raw = stackalloc byte[NodeId.Size];
        signer.CopyTo(raw);
        if (!PublicKey.TryImport(SignatureAlgorithm.Ed25519, raw, KeyBlobFormat.RawPublicKey, out var key) || key is null) return false;
        return SignatureAlgorithm.Ed25519.Verify(key, data, signature);
    }
}
