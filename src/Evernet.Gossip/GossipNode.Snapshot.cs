using System.Collections.Immutable;
using Evernet.Gossip.View;

namespace Evernet.Gossip;

public sealed partial class GossipNode
{
    public MeshView Snapshot()
    {
        long now = NowTicks;
        var members = ImmutableArray.CreateBuilder<MemberView>(_state.Count);
        var gateways = ImmutableArray.CreateBuilder<GatewayView>();
        foreach (var o in _state.Origins.OrderBy(o => o.Id))
        {
            _runtime.TryGetValue(o.Id.ShortId, out var rt);
            var state = rt?.Revoked == true ? MemberState.Left : o.Liveness.State;
            long since = rt is null ? ToUnixMs(now) : ToUnixMs(rt.StateSinceTicks);
            members.Add(new MemberView(o.Id, o.Record.Certificate.Name, o.Record.Certificate.Roles, state, o.Liveness.Incarnation, since, o.Record));
            if (!o.IsGateway) continue;
            var probe = rt?.Gateway;
            bool self = o.Id == Id;
            gateways.Add(new GatewayView(
                o.Id, o.Record.Certificate.Name, o.Record.Certificate.WireGuardPublicKey, o.Record.Addresses, o.Summary,
                rt is null || rt.SummaryReceivedTicks == 0 ? 0 : ToUnixMs(rt.SummaryReceivedTicks),
                rt?.Usable ?? false, rt?.Reason ?? UsabilityReason.NoSummaryYet,
                rt is null ? 0 : ToUnixMs(rt.UsabilitySinceTicks),
                self ? ToUnixMs(now) : probe is null || probe.LastAckTicks == 0 ? 0 : ToUnixMs(probe.LastAckTicks),
                probe?.SmoothedRttMs ?? 0, probe?.LossRatio ?? 0));
        }
        return new MeshView(ToUnixMs(now), Id, _incarnation, _health.Score, members.ToImmutable(), gateways.ToImmutable(), [.. _state.Revocations]);
    }

    /// <summary>A stable description of the merged signed state (convergence checks: equal on every converged node).</summary>
    public string StateFingerprint() => _state.Fingerprint();
}
