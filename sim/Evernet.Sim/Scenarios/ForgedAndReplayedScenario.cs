using System.Collections.Immutable;
using Evernet.Gossip.Records;
using Evernet.Gossip.Runtime;
using Evernet.Gossip.View;
using Evernet.Gossip.Wire;
using Evernet.Sim.Engine;
using Evernet.Sim.Network;

namespace Evernet.Sim.Scenarios;

/// <summary>
/// Two attackers inside the mesh. An uncertified node runs the real core with a certificate from an authority nobody
/// trusts and claims to be a gateway. A certified member turned hostile records everything it receives, then — after a
/// gateway's uplink went down and came back — replays it verbatim (from itself and with spoofed sources), replays it with
/// a flipped byte, and re-wraps the old signed items into urgent gossip of its own. Nothing of theirs may be accepted.
/// </summary>
public sealed class ForgedAndReplayedScenario : Scenario
{
    /// <summary>The eavesdropper captures from a delivery tap.</summary>
    public override bool NeedsOneLane => true;

    private const int MaxCaptured = 4000;
    private readonly List<(int From, byte[] Payload)> _captured = new();
    private readonly long[] _sentByMode = new long[4];
    private int _uncertified = -1, _replayer = -1;
    private ulong _replayerShortId;
    private bool _capturing = true;
    private long _rogueSummaries;
    private long _snapshotLeaks;

    public override string Name => "forged-and-replayed";
    public override string Description => "an uncertified node posing as a gateway and a member replaying/tampering captured signed items: nothing may be accepted";
    public override TimeSpan DefaultDuration(int gateways) => TimeSpan.FromSeconds(90);

    public override NodeRole[] AssignRoles(Topology topology, SeededRandom random)
    {
        var roles = base.AssignRoles(topology, random);
        var members = Enumerable.Range(0, roles.Length).Where(i => roles[i] == NodeRole.Member).ToList();
        if (members.Count < 4) throw new ArgumentException("forged-and-replayed needs at least 4 members");
        _uncertified = members[^1];
        _replayer = members[^2];
        roles[_uncertified] = NodeRole.Uncertified;
        roles[_replayer] = NodeRole.Replayer;
        return roles;
    }

    public override void Prepare(Simulation sim)
    {
        sim.DeliveryTap = (to, from, payload) =>
        {
            if (to != _replayer || !_capturing) return;
            if (_captured.Count < MaxCaptured && payload.Length > 64) _captured.Add((from, payload));
        };
        // The rogue gateway publishes "healthy, idle, huge" summaries every 2 s from the start.
        sim.Every(TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(1).Ticks, () =>
        {
            _rogueSummaries++;
            sim.Call(_uncertified, core => core.PublishGatewaySummary(new GatewayHealthReport(UplinkState.Up,
                ImmutableArray<ProbeTargetStats>.Empty, 10_000_000_000, 10_000_000_000, 0, 0, 0, 0, false)));
        });
    }

    public override void Schedule(Simulation sim, long startTicks, TimeSpan duration)
    {
        int victim = sim.GatewayIndices[0];
        sim.At(startTicks + Seconds(5), () =>
        {
            sim.SetUplink(victim, UplinkState.Down);
            var probe = sim.Metrics.BeginFailover("uplink-outage", victim);
            sim.After(TimeSpan.FromSeconds(15), () =>
            {
                probe.Close();
                sim.SetUplink(victim, UplinkState.Up);
            });
        });
        long replayFrom = startTicks + Seconds(25);
        long replayUntil = startTicks + duration.Ticks - Seconds(15);
        var random = sim.ScenarioRandom;
        sim.At(replayFrom, () => _capturing = false);
        long n = 0;
        sim.Every(TimeSpan.FromMilliseconds(50), replayFrom, () =>
        {
            if (_captured.Count == 0 || !sim.Nodes[_replayer].IsUp) return;
            var (from, payload) = _captured[random.Next(_captured.Count)];
            int target = RandomHonest(sim, random);
            if (target < 0) return;
            int mode = (int)(n++ % 4);
            switch (mode)
            {
                case 0: // verbatim, from the replayer itself
                    sim.Inject(_replayer, target, _replayer, payload, fromAttacker: true);
                    break;
                case 1: // verbatim, spoofing the original sender
                    sim.Inject(_replayer, target, from, payload, fromAttacker: true);
                    break;
                case 2: // tampered: one byte flipped in the second half (where signatures sit), spoofed
                    var tampered = (byte[])payload.Clone();
                    int at = tampered.Length / 2 + random.Next(tampered.Length - tampered.Length / 2);
                    tampered[at] ^= (byte)(1 + random.Next(255));
                    sim.Inject(_replayer, target, from, tampered, fromAttacker: true);
                    break;
                default: // old signed items re-wrapped as urgent gossip of the replayer's own
                    var rewrapped = Rewrap(sim, payload);
                    if (rewrapped is null) return;
                    sim.Inject(_replayer, target, _replayer, rewrapped, fromAttacker: true);
                    break;
            }
            _sentByMode[mode]++;
        }, () => sim.Now < replayUntil);
    }

    private static int RandomHonest(Simulation sim, SeededRandom random)
    {
        for (int attempt = 0; attempt < 16; attempt++)
        {
            var node = sim.Nodes[random.Next(sim.Nodes.Length)];
            if (node.IsUp && node.IsHonest) return node.Index;
        }
        return -1;
    }

    private byte[]? Rewrap(Simulation sim, byte[] payload)
    {
        if (!WireCodec.TryDecode(payload, out var message, out _) || message is null) return null;
        var items = message switch
        {
            Ping p => p.Piggyback,
            PingReq r => r.Piggyback,
            Ack a => a.Piggyback,
            Evernet.Gossip.Wire.Gossip g => g.Items,
            PushPullRecords r => r.Items,
            _ => ImmutableArray<IGossipItem>.Empty,
        };
        var signed = items.Where(i => i is GatewaySummary or NodeRecord).ToImmutableArray();
        if (signed.IsEmpty) return null;
        if (_replayerShortId == 0) _replayerShortId = ulong.Parse(sim.Nodes[_replayer].Id.Fingerprint, System.Globalization.NumberStyles.HexNumber);
        var buffer = new byte[WireLimits.MaxDatagram];
        for (int count = signed.Length; count > 0; count--)
        {
            var gossip = new Evernet.Gossip.Wire.Gossip(_replayerShortId, true, signed[..count]);
            if (WireCodec.TryEncode(gossip, buffer, out int written)) return buffer[..written];
        }
        return null;
    }

    public override void Finish(Simulation sim, IDictionary<string, double> extras)
    {
        var rogue = sim.Nodes[_uncertified].Id;
        foreach (var node in sim.Nodes)
        {
            if (!node.IsUp || !node.IsHonest) continue;
            MeshView view = node.Core!.Snapshot();
            if (view.Members.Any(m => m.Id == rogue) || view.Gateways.Any(g => g.Id == rogue)) _snapshotLeaks++;
        }
        extras["attacker_accepted"] = sim.Metrics.AttackerAccepted + _snapshotLeaks;
        extras["attacker_in_snapshots"] = _snapshotLeaks;
        extras["attack_induced_state_changes"] = sim.Metrics.AttackerInducedStateChanges;
        extras["summary_rollbacks"] = sim.Metrics.SummaryRollbacks;
        extras["captured_datagrams"] = _captured.Count;
        extras["rogue_summaries_published"] = _rogueSummaries;
        extras["replayed_verbatim"] = _sentByMode[0];
        extras["replayed_spoofed"] = _sentByMode[1];
        extras["replayed_tampered"] = _sentByMode[2];
        extras["replayed_rewrapped"] = _sentByMode[3];
        var reasons = Enum.GetValues<RejectReason>();
        long total = 0;
        foreach (var r in reasons)
        {
            long count = sim.Metrics.AttackRejectedByReason[(int)r];
            total += count;
            if (count > 0) extras["attack_rejected." + r] = count;
        }
        extras["attack_rejected_total"] = total;
        var decode = new long[Enum.GetValues<DecodeError>().Length];
        foreach (var node in sim.Nodes)
        {
            if (!node.IsHonest) continue;
            var c = node.Core?.Counters;
            if (c is not null) for (int i = 0; i < decode.Length; i++) decode[i] += c.DecodeErrors[i];
            if (node.RetiredCounters is { } rc) for (int i = 0; i < decode.Length; i++) decode[i] += rc.DecodeErrors[i];
        }
        for (int i = 1; i < decode.Length; i++)
            if (decode[i] > 0) extras["decode_error." + (DecodeError)i] = decode[i];
    }
}
