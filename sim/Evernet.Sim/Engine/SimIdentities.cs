using System.Collections.Immutable;
using Evernet.Gossip.Identity;
using Evernet.Sim.Time;

namespace Evernet.Sim.Engine;

/// <summary>The simulated community: its authority, a rogue authority nobody trusts, and a key and certificate per node.</summary>
public sealed class SimIdentities : IDisposable
{
    private readonly NodeKeyPair[] _keys;

    public SimIdentities(ulong seed, IReadOnlyList<NodeRole> roles)
    {
        Authority = NodeKeyPair.FromPrivateSeed(SeedDerivation.DeriveBytes32(seed, SeedDerivation.AuthorityKey, 0));
        RogueAuthority = NodeKeyPair.FromPrivateSeed(SeedDerivation.DeriveBytes32(seed, SeedDerivation.AuthorityKey, 1));
        _keys = new NodeKeyPair[roles.Count];
        Certificates = new MembershipCertificate[roles.Count];
        var authority = new CertificateAuthority(Authority);
        var rogue = new CertificateAuthority(RogueAuthority);
        var notBefore = VirtualClock.Epoch.AddDays(-1);
        var notAfter = VirtualClock.Epoch.AddDays(365);
        for (int i = 0; i < roles.Count; i++)
        {
            _keys[i] = NodeKeyPair.FromPrivateSeed(SeedDerivation.DeriveBytes32(seed, SeedDerivation.NodeKey, i));
            var role = roles[i];
            var nodeRoles = role is NodeRole.Gateway or NodeRole.Uncertified ? NodeRoles.Node | NodeRoles.Gateway : NodeRoles.Node;
            var issuer = role == NodeRole.Uncertified ? rogue : authority;
            Certificates[i] = issuer.Issue(_keys[i].Id, SeedDerivation.DeriveBytes32(seed, SeedDerivation.WireGuardKey, i),
                NameOf(i, role), nodeRoles, (ulong)i + 1, notBefore, notAfter);
        }
        Trusted = ImmutableArray.Create(Authority.Id);
    }

    public NodeKeyPair Authority { get; }
    public NodeKeyPair RogueAuthority { get; }
    public ImmutableArray<NodeId> Trusted { get; }
    public MembershipCertificate[] Certificates { get; }

    public NodeKeyPair KeyOf(int index) => _keys[index];

    public static string NameOf(int index, NodeRole role) => role switch
    {
        NodeRole.Gateway => $"gw{index}",
        NodeRole.Uncertified => $"rogue{index}",
        NodeRole.Replayer => $"replay{index}",
        _ => $"n{index}",
    };

    public void Dispose()
    {
        foreach (var k in _keys) k.Dispose();
        Authority.Dispose();
        RogueAuthority.Dispose();
    }
}
