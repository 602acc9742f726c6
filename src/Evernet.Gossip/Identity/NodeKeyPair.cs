using NSec.Cryptography;

namespace Evernet.Gossip.Identity;

/// <summary>A node's (or an authority's) Ed25519 signing key. The private part never leaves this object except through <see cref="ExportPrivateSeed"/> for the key file.</summary>
public sealed class NodeKeyPair : IDisposable
{
    private static readonly SignatureAlgorithm Algorithm = SignatureAlgorithm.Ed25519;
    private readonly Key _key;

    private NodeKeyPair(Key key)
    {
        _key = key;
        Id = NodeId.FromBytes(key.PublicKey.Export(KeyBlobFormat.RawPublicKey));
    }

    public NodeId Id { get; }

    public static NodeKeyPair Generate() =>
        new(Key.Create(Algorithm, new KeyCreationParameters { ExportPolicy = KeyExportPolicies.AllowPlaintextExport }));

    /// <summary>Deterministic key from a 32-byte seed (key files; the simulator derives seeds from its run seed).</summary>
    public static NodeKeyPair FromPrivateSeed(ReadOnlySpan<byte> seed)
    {
        if (seed.Length != 32) throw new ArgumentException("an Ed25519 seed is 32 bytes", nameof(seed));
        return new(Key.Import(Algorithm, seed, KeyBlobFormat.RawPrivateKey, new KeyCreationParameters { ExportPolicy = KeyExportPolicies.AllowPlaintextExport }));
    }

    public byte[] ExportPrivateSeed() => _key.Export(KeyBlobFormat.RawPrivateKey);

    public byte[] Sign(ReadOnlySpan<byte> data) => Algorithm.Sign(_key, data);

    public void Sign(ReadOnlySpan<byte> data, Span<byte> signature) => Algorithm.Sign(_key, data, signature);

    public void Dispose() => _key.Dispose();
}
