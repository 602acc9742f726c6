using Evernet.Gossip.Identity;

namespace Evernet.Sim.Engine;

/// <summary>One verifier per simulation, shared by all its nodes, so a signature checked by one node is not re-checked by the next.</summary>
internal static class SharedVerifier
{
    public static ISignatureVerifier Create() => new CachingVerifier(new Ed25519Verifier(), 1 << 18);
}
