using Evernet.Gossip.Identity;
using Evernet.Gossip.Records;
using Evernet.Gossip.Tests.Harness;
using Evernet.Gossip.View;
using Evernet.Gossip.Wire;
using GossipPush = Evernet.Gossip.Wire.Gossip;

namespace Evernet.Gossip.Tests;

public sealed class GossipNodeTests
{
    private static MiniMesh Converged(int nodes = 8, int gateways = 2, ulong seed = 1)
    {
        var mesh = new MiniMesh(nodes, gateways, seed);
        mesh.StartAll();
        for (int g = 0; g < gateways; g++) mesh.PublishSummary(g, UplinkState.Up);
        mesh.RunFor(TimeSpan.FromSeconds(20));
        return mesh;
    }

    [Fact]
    public void Members_converge_from_seeds_and_every_node_finds_every_gateway_usable()
    {
        using var mesh = Converged();
        foreach (var s in mesh.Slots)
        {
            var view = s.Node.Snapshot();
            Assert.Equal(8, view.Members.Length);
            Assert.All(view.Members, m => Assert.Equal(MemberState.Alive, m.State));
            Assert.Equal(2, view.Gateways.Length);
            Assert.All(view.Gateways, g => Assert.True(g.Usable, $"{s.Index} sees {g.Name} {g.Reason}"));
        }
        var fingerprints = mesh.Slots.Select(s => s.Node.StateFingerprint()).Distinct().ToList();
        Assert.Single(fingerprints);
    }

    [Fact]
    public void Uplink_down_summary_makes_gateway_unusable_everywhere_within_half_a_second()
    {
        using var mesh = Converged();
        var signedAt = mesh.Now;
        mesh.PublishSummary(1, UplinkState.Down);
        mesh.RunFor(TimeSpan.FromMilliseconds(500));
        var gw = mesh.Slots[1].Node.Id;
        foreach (var s in mesh.Slots.Skip(2))
        {
            var e = s.Events.OfType<GatewayUsabilityChanged>().LastOrDefault(x => x.Gateway == gw);
            Assert.NotNull(e);
            Assert.False(e!.Usable);
            Assert.Equal(UsabilityReason.UplinkDown, e.Reason);
            Assert.True(e.AtUnixMs - signedAt.ToUnixTimeMilliseconds() <= 100, $"node {s.Index} took {e.AtUnixMs - signedAt.ToUnixTimeMilliseconds()} ms");
        }
        mesh.PublishSummary(1, UplinkState.Up);
        mesh.RunFor(TimeSpan.FromMilliseconds(500));
        Assert.All(mesh.Slots.Skip(2), s => Assert.True(s.Node.Snapshot().Gateways.Single(g => g.Id == gw).Usable));
    }

    [Fact]
    public void Crashed_gateway_is_unusable_at_every_node_within_one_and_a_half_seconds_then_dead()
    {
        using var mesh = Converged();
        var crashAt = mesh.Now;
        mesh.Crash(0);
        mesh.RunFor(TimeSpan.FromSeconds(1.5));
        var gw = mesh.Slots[0].Node.Id;
        foreach (var s in mesh.Live)
        {
            var g = s.Node.Snapshot().Gateways.Single(x => x.Id == gw);
            Assert.False(g.Usable, $"node {s.Index} still uses the crashed gateway");
        }
        mesh.RunFor(TimeSpan.FromSeconds(60));
        foreach (var s in mesh.Live)
            Assert.Equal(MemberState.Dead, s.Node.Snapshot().Members.Single(m => m.Id == gw).State);
        // The gateway comes back: it refutes and is usable again.
        mesh.Restart(0);
        mesh.PublishSummary(0, UplinkState.Up);
        mesh.RunFor(TimeSpan.FromSeconds(30));
        foreach (var s in mesh.Live)
        {
            Assert.Equal(MemberState.Alive, s.Node.Snapshot().Members.Single(m => m.Id == gw).State);
            Assert.True(s.Node.Snapshot().Gateways.Single(x => x.Id == gw).Usable, $"node {s.Index}");
        }
        _ = crashAt;
    }

    /// <summary>
    /// On a long lossy path (here 86 ms round trip) the last direct try of a gateway round must go out early enough for
    /// its answer to arrive before the round ends: sent at the halfway mark (175 ms of 250) its ack came after the round
    /// had failed and was thrown away, so a node whose first two tries were lost marked a live gateway unusable (the
    /// false unusable of gateway-crash, seed 4: a 15-hop node, three such rounds in a row).
    /// </summary>
    [Fact]
    public void The_last_gateway_try_on_a_long_path_is_answered_within_its_round()
    {
        using var mesh = new MiniMesh(4, 1, seed: 1, latency: TimeSpan.FromMilliseconds(43));
        mesh.StartAll();
        mesh.PublishSummary(0, UplinkState.Up);
        mesh.RunFor(TimeSpan.FromSeconds(20));
        var gateway = mesh.Slots[0].Node.Id;
        var observer = mesh.Slots[3];
        Assert.True(observer.Node.Snapshot().Gateways.Single(g => g.Id == gateway).Usable);

        // From now on the first two copies of every ping from the observer to the gateway are lost: only a third direct
        // try gets through (relayed answers take 4 x 43 ms and come too late for a gateway round anyway).
        var copies = new Dictionary<uint, int>();
        int lost = 0, passed = 0;
        mesh.DropDatagram = (from, to, payload) =>
        {
            if (from != 3 || to != 0 || !WireCodec.TryDecodeCore(payload, out var m, out _) || m is not Ping ping) return false;
            int n = copies[ping.Seq] = copies.GetValueOrDefault(ping.Seq) + 1;
            if (n <= 2) { lost++; return true; }
            passed++;
            return false;
        };
        int eventsBefore = observer.Events.Count;
        mesh.RunFor(TimeSpan.FromSeconds(10));

        Assert.True(lost > 40 && passed > 20, $"lost {lost}, passed {passed}");
        var flips = observer.Events.Skip(eventsBefore).OfType<GatewayUsabilityChanged>().Where(e => e.Gateway == gateway && !e.Usable).ToList();
        Assert.True(flips.Count == 0, $"the observer marked the live gateway unusable {flips.Count} times ({flips.FirstOrDefault()?.Reason})");
        Assert.True(observer.Node.Snapshot().Gateways.Single(g => g.Id == gateway).Usable);
    }

    [Fact]
    public void Versions_never_go_backwards_across_a_restart()
    {
        using var mesh = Converged();
        ulong before = mesh.Slots[3].Node.CurrentVersion;
        mesh.Crash(3);
        mesh.RunFor(TimeSpan.FromSeconds(1));
        mesh.Restart(3);
        Assert.True(mesh.Slots[3].Node.CurrentVersion > before);
        mesh.RunFor(TimeSpan.FromSeconds(10));
        var id = mesh.Slots[3].Node.Id;
        foreach (var s in mesh.Live)
            Assert.Equal(MemberState.Alive, s.Node.Snapshot().Members.Single(m => m.Id == id).State);
    }

    /// <summary>Records every datagram from now on, lets member <paramref name="index"/> leave and the mesh hear of it for 3 s.</summary>
    private static (MiniMesh.Slot Slot, NodeId Id) LeaveAndRecord(MiniMesh mesh, int index)
    {
        mesh.Record = true;
        var slot = mesh.Slots[index];
        slot.Node.Leave();
        mesh.Pump(slot);
        mesh.RunFor(TimeSpan.FromSeconds(3));
        return (slot, slot.Node.Id);
    }

    /// <summary>
    /// A member that held us left hands us our own left record when it hears from us (<c>TellDownMember</c>). After we
    /// came back at a higher incarnation that record is stale for us, but not for the sender: it missed our return in
    /// the epidemic, so we answer with our current record instead of ignoring it.
    /// </summary>
    [Fact]
    public void A_returned_member_handed_its_old_left_record_answers_with_its_current_one()
    {
        using var mesh = Converged();
        var (returning, id) = LeaveAndRecord(mesh, 3);
        var left = mesh.Sent.Where(s => s.From == 3)
            .Select(s => WireCodec.TryDecodeCore(s.Payload, out var m, out _) ? m : null)
            .OfType<GossipPush>().SelectMany(g => g.Items).OfType<NodeRecord>()
            .First(r => r.Origin == id && r.Left);
        Assert.Equal(MemberState.Left, mesh.Slots[5].Node.Snapshot().Members.Single(m => m.Id == id).State);

        mesh.Restart(3);
        mesh.RunFor(TimeSpan.FromSeconds(5));
        mesh.Sent.Clear();
        mesh.Inject(3, "sim:5", Encode(new GossipPush(mesh.Slots[5].Node.Id.ShortId, false, [left])));

        var answer = mesh.Sent.Where(s => s.From == 3 && s.To == 5)
            .Select(s => WireCodec.TryDecodeCore(s.Payload, out var m, out _) ? m : null)
            .OfType<GossipPush>().SelectMany(g => g.Items).OfType<NodeRecord>()
            .SingleOrDefault(r => r.Origin == id);
        Assert.NotNull(answer);
        Assert.False(answer.Left);
        Assert.True(answer.Incarnation > left.Incarnation);
        // Rate-limited: the same stale record again at once gets no second answer.
        mesh.Sent.Clear();
        mesh.Inject(3, "sim:5", Encode(new GossipPush(mesh.Slots[5].Node.Id.ShortId, false, [left])));
        Assert.DoesNotContain(mesh.Sent, s => s.From == 3 && s.To == 5);
    }

    /// <summary>
    /// Lifeguard's buddy system: a member we suspect that talks to us is handed the suspicion, so it refutes at once
    /// instead of racing the suspicion timeout over a long lossy path (at 5 % loss per hop this took the false deaths
    /// of 20 simulated 10-minute runs from 17 to 0).
    /// </summary>
    [Fact]
    public void A_suspected_member_that_talks_to_us_is_told_and_refutes()
    {
        using var mesh = Converged();
        mesh.Record = true;
        var suspect = mesh.Slots[3];
        var accuser = mesh.Slots[6];
        var observer = mesh.Slots[5];
        uint incarnation = suspect.Node.Incarnation;
        var suspicion = Signing.SignAccusation(new Accusation(suspect.Node.Id, incarnation, Verdict.Suspect, accuser.Node.Id,
            mesh.Now.ToUnixTimeMilliseconds(), ReadOnlyMemory<byte>.Empty), accuser.Key);
        mesh.Inject(5, "sim:6", Encode(new GossipPush(accuser.Node.Id.ShortId, false, [suspicion])));
        Assert.Equal(MemberState.Suspect, observer.Node.Snapshot().Members.Single(m => m.Id == suspect.Node.Id).State);

        mesh.Sent.Clear();
        mesh.Inject(5, "sim:3", Encode(new Ping(suspect.Node.Id.ShortId, 4242, observer.Node.Id.ShortId, 0, [])));
        var told = mesh.Sent.Where(s => s.From == 5 && s.To == 3)
            .Select(s => WireCodec.TryDecodeCore(s.Payload, out var m, out _) ? m : null)
            .OfType<GossipPush>().SelectMany(g => g.Items).OfType<Accusation>()
            .SingleOrDefault(a => a.Target == suspect.Node.Id);
        Assert.NotNull(told);

        mesh.Inject(3, "sim:5", Encode(new GossipPush(observer.Node.Id.ShortId, false, [told])));
        Assert.True(suspect.Node.Incarnation > incarnation);
    }

    /// <summary>
    /// An observer that held a member left and missed its return in the epidemic (churn: up to 20 s, until its next
    /// anti-entropy exchange) pings it within seconds, as it did only for members it held dead: the member answers,
    /// is handed its old left record and answers that with its current one.
    /// </summary>
    [Fact]
    public void An_observer_that_missed_a_left_member_coming_back_pings_it_and_takes_it_back()
    {
        using var mesh = Converged();
        var (member, id) = LeaveAndRecord(mesh, 3);
        Assert.Equal(MemberState.Left, HeldState(mesh, 5, id));

        // The observer hears nothing from the member and no record of it from anyone: it misses the return.
        mesh.DropDatagram = (from, to, payload) => to == 5 && (from == 3 || CarriesRecordOf(payload, id));
        mesh.Restart(3);
        mesh.Sent.Clear();
        mesh.RunFor(TimeSpan.FromSeconds(6));
        Assert.Equal(MemberState.Left, HeldState(mesh, 5, id));
        Assert.True(mesh.Slots.Where(s => s.Index != 3 && s.Index != 5).All(s => HeldState(mesh, s.Index, id) == MemberState.Alive));

        AssertChainTakesMemberBack(mesh, observer: 5, member: 3);
    }

    /// <summary>
    /// The same for a member the observer holds suspect: it refuted (here: it came back), the observer missed the
    /// refutation and would keep it suspect until anti-entropy or its suspicion timeout (up to 72 s at 103 nodes). Its
    /// SWIM round robin reaches the member once per cycle (here one probe per 10 s), the re-admission pings every 2 s.
    /// </summary>
    [Fact]
    public void An_observer_that_missed_a_refutation_pings_the_suspect_and_takes_it_back()
    {
        var options = new GossipOptions { ProbeInterval = TimeSpan.FromSeconds(10), ProbeTimeout = TimeSpan.FromSeconds(4) };
        using var mesh = new MiniMesh(8, 2, seed: 1, options);
        mesh.StartAll();
        for (int g = 0; g < 2; g++) mesh.PublishSummary(g, UplinkState.Up);
        mesh.RunFor(TimeSpan.FromSeconds(20));
        mesh.Record = true;
        var member = mesh.Slots[3];
        var accuser = mesh.Slots[6];
        var id = member.Node.Id;
        uint incarnation = member.Node.Incarnation;
        var suspicion = Signing.SignAccusation(new Accusation(id, incarnation, Verdict.Suspect, accuser.Node.Id,
            mesh.Now.ToUnixTimeMilliseconds(), ReadOnlyMemory<byte>.Empty), accuser.Key);
        mesh.DropDatagram = (from, to, payload) => to == 5 && (from == 3 || CarriesRecordOf(payload, id));
        mesh.Inject(5, "sim:6", Encode(new GossipPush(accuser.Node.Id.ShortId, false, [suspicion])));
        mesh.Inject(3, "sim:6", Encode(new GossipPush(accuser.Node.Id.ShortId, false, [suspicion])));
        Assert.True(member.Node.Incarnation > incarnation, "the member refutes");
        mesh.Sent.Clear();
        mesh.RunFor(TimeSpan.FromSeconds(5));
        Assert.Equal(MemberState.Suspect, HeldState(mesh, 5, id));

        AssertChainTakesMemberBack(mesh, observer: 5, member: 3);
    }

    /// <summary>
    /// Re-admission pings go out every 2 s, and their answers come back about 2 s apart: the verdict a member held down
    /// is handed must not be rate-limited at that spacing (at 2 s an answer 1.99 s after the last verdict was skipped,
    /// and the member waited a whole extra round, up to 9.5 s in churn).
    /// </summary>
    [Fact]
    public void A_member_held_left_is_told_its_verdict_at_each_answer_to_a_re_admission_ping()
    {
        using var mesh = Converged();
        var id = mesh.Slots[3].Node.Id;
        mesh.Slots[3].Node.Leave();
        mesh.Pump(mesh.Slots[3]);
        mesh.RunFor(TimeSpan.FromSeconds(3));
        Assert.Equal(MemberState.Left, HeldState(mesh, 5, id));
        mesh.Crash(3); // silent from now on: its answers are carried by hand
        mesh.Record = true;

        mesh.Inject(5, "sim:3", Encode(new Ack(id.ShortId, 4242, id.ShortId, [])));
        mesh.RunFor(TimeSpan.FromSeconds(1.9));
        mesh.Inject(5, "sim:3", Encode(new Ack(id.ShortId, 4243, id.ShortId, [])));

        int told = mesh.Sent.Where(s => s.From == 5 && s.To == 3).Select(s => Decode(s.Payload)).OfType<GossipPush>()
            .Count(g => g.Items.Any(i => i is NodeRecord r && r.Origin == id && r.Left));
        Assert.Equal(2, told);
    }

    /// <summary>
    /// The observer pinged the member (more than a SWIM round robin would); its answer, carried by hand past the drop
    /// rule, makes the observer hand the member its verdict, and the member's answer to that makes it alive again.
    /// </summary>
    private static void AssertChainTakesMemberBack(MiniMesh mesh, int observer, int member)
    {
        var id = mesh.Slots[member].Node.Id;
        var pings = mesh.Sent.Where(s => s.From == observer && s.To == member).Select(s => Decode(s.Payload)).OfType<Ping>()
            .Where(p => p.Target == id.ShortId).ToList();
        Assert.True(pings.Count >= 2, $"the observer pinged the member {pings.Count} times");
        var ack = mesh.Sent.First(s => s.From == member && s.To == observer && Decode(s.Payload) is Ack);

        mesh.Sent.Clear();
        mesh.Inject(observer, $"sim:{member}", ack.Payload);
        mesh.RunFor(TimeSpan.FromMilliseconds(100)); // the verdict travels to the member, which answers
        var answer = mesh.Sent.Where(s => s.From == member && s.To == observer)
            .Select(s => Decode(s.Payload)).OfType<GossipPush>().SelectMany(g => g.Items).OfType<NodeRecord>()
            .FirstOrDefault(r => r.Origin == id && !r.Left);
        Assert.NotNull(answer);
        mesh.DropDatagram = (_, _, _) => false;
        mesh.Inject(observer, $"sim:{member}", Encode(new GossipPush(id.ShortId, false, [answer])));
        Assert.Equal(MemberState.Alive, HeldState(mesh, observer, id));
    }

    private static MemberState HeldState(MiniMesh mesh, int observer, NodeId member) =>
        mesh.Slots[observer].Node.Snapshot().Members.Single(m => m.Id == member).State;

    private static Message? Decode(byte[] payload) => WireCodec.TryDecodeCore(payload, out var m, out _) ? m : null;

    private static bool CarriesRecordOf(byte[] payload, NodeId origin)
    {
        var items = Decode(payload) switch
        {
            Ping p => p.Piggyback,
            PingReq r => r.Piggyback,
            Ack a => a.Piggyback,
            GossipPush g => g.Items,
            PushPullRecords r => r.Items,
            _ => [],
        };
        return !items.IsDefaultOrEmpty && items.Any(i => i is NodeRecord r && r.Origin == origin);
    }

    [Fact]
    public void A_node_without_news_is_woken_only_for_its_probe_rounds()
    {
        // Routers on the roof run this all day: a gossip tick with an empty broadcast queue, the end of a probe round
        // apart from the next probe, or a relay's timeout after the ack came would each wake the host for nothing.
        using var mesh = Converged(nodes: 6, gateways: 0);
        mesh.RunFor(TimeSpan.FromSeconds(60));
        foreach (var s in mesh.Slots) s.Wakeups = 0;
        mesh.RunFor(TimeSpan.FromSeconds(20));
        foreach (var s in mesh.Slots)
        {
            Assert.Equal(6, s.Node.Snapshot().Members.Length);
            // 20 probe rounds (one wake-up each), a few indirect-probe and reap timers, at most one push-pull: not the
            // 100 idle gossip ticks and 20 separate round ends it used to be.
            Assert.InRange(s.Wakeups, 15, 35);
        }
    }

    [Fact]
    public void A_node_that_an_exchange_left_without_a_member_asks_again_for_that_range()
    {
        using var mesh = new MiniMesh(4, 1);
        mesh.Crash(3);
        mesh.StartAll();
        mesh.PublishSummary(0, UplinkState.Up);
        mesh.RunFor(TimeSpan.FromSeconds(20));
        // Node 3 comes back knowing the two seeds (its warm state) but not node 2.
        var seeds = mesh.Slots[0].Node.ExportState().OfType<NodeRecord>().Where(r => r.Origin == mesh.Slots[0].Key.Id || r.Origin == mesh.Slots[1].Key.Id);
        var joinedAt = mesh.Now;
        bool InJoin() => mesh.Now < joinedAt + TimeSpan.FromSeconds(0.5);
        mesh.DropDatagram = (from, to, payload) =>
        {
            if (!WireCodec.TryDecode(payload, null, out var m, out _)) return false;
            // Node 3 hears nothing but anti-entropy, the seeds' answers to its join are lost, and its own later
            // exchanges reach no one: what it learns, it learns because the seeds' digests of the join list node 2.
            if (to == 3) return m is not (PushPullDigest or PushPullRecords) || (m is PushPullRecords && InJoin());
            return from == 3 && m is PushPullDigest { IsReply: false } && !InJoin();
        };
        var slot = mesh.Slots[3];
        slot.Down = false;
        slot.Node = mesh.Create(3, [.. seeds]);
        slot.Node.Start();
        mesh.Pump(slot);
        mesh.RunFor(TimeSpan.FromSeconds(3));
        Assert.Contains(slot.Node.Snapshot().Members, m => m.Id == mesh.Slots[2].Key.Id);
        Assert.True(slot.Node.Counters.PushPullRangesRechecked > 0);
    }

    [Fact]
    public void Garbage_and_truncated_datagrams_are_counted_and_change_nothing()
    {
        using var mesh = Converged();
        var target = mesh.Slots[4];
        string before = target.Node.StateFingerprint();
        var random = new Random(7);
        for (int i = 0; i < 500; i++)
        {
            var bytes = new byte[random.Next(0, 1400)];
            random.NextBytes(bytes);
            mesh.Inject(4, "sim:99", bytes);
        }
        Assert.Equal(500, target.Node.Counters.RejectsByReason[(int)RejectReason.Malformed] + target.Node.Counters.RejectsByReason[(int)RejectReason.UnknownSender]);
        Assert.Equal(before, target.Node.StateFingerprint());
    }

    [Fact]
    public void Replayed_summary_is_rejected_as_stale_and_forged_one_as_bad_signature()
    {
        using var mesh = Converged();
        mesh.Record = true;
        mesh.PublishSummary(0, UplinkState.Up, loadDown: 1);
        mesh.RunFor(TimeSpan.FromSeconds(2));
        var old = mesh.Slots[5].Node.Snapshot().Gateways.Single(g => g.Id == mesh.Slots[0].Node.Id).Summary!;
        mesh.PublishSummary(0, UplinkState.Up, loadDown: 2);
        mesh.RunFor(TimeSpan.FromSeconds(2));
        var victim = mesh.Slots[5];
        long staleBefore = victim.Node.Counters.RejectsByReason[(int)RejectReason.Stale];
        var replay = Encode(new GossipPush(mesh.Slots[6].Node.Id.ShortId, true, [old]));
        mesh.Inject(5, "sim:6", replay);
        Assert.Equal(staleBefore + 1, victim.Node.Counters.RejectsByReason[(int)RejectReason.Stale]);

        var current = victim.Node.Snapshot().Gateways.Single(g => g.Id == mesh.Slots[0].Node.Id).Summary!;
        var forged = current with { Version = current.Version + 1, Uplink = UplinkState.Down };
        long badBefore = victim.Node.Counters.RejectsByReason[(int)RejectReason.BadSignature];
        mesh.Inject(5, "sim:6", Encode(new GossipPush(mesh.Slots[6].Node.Id.ShortId, true, [forged])));
        Assert.Equal(badBefore + 1, victim.Node.Counters.RejectsByReason[(int)RejectReason.BadSignature]);
        Assert.True(victim.Node.Snapshot().Gateways.Single(g => g.Id == mesh.Slots[0].Node.Id).Usable);
    }

    [Fact]
    public void Node_with_certificate_from_untrusted_authority_is_never_admitted()
    {
        using var mesh = Converged();
        using var rogueKey = MiniMesh.KeyFromSeed(77, 1);
        using var rogueAuthorityKey = MiniMesh.KeyFromSeed(77, 2);
        using var wg = WireGuardKeyPair.Generate();
        var rogueAuthority = new CertificateAuthority(rogueAuthorityKey);
        var cert = rogueAuthority.Issue(rogueKey.Id, wg.PublicKey.Span, "rogue", NodeRoles.Gateway, 1, mesh.Now.AddDays(-1), mesh.Now.AddDays(1));
        var record = Signing.SignNodeRecord(new NodeRecord(rogueKey.Id, 1, mesh.Now.ToUnixTimeMilliseconds(), 0, false, ["sim:50"], [], cert, ReadOnlyMemory<byte>.Empty), rogueKey);
        var summary = Signing.SignGatewaySummary(new GatewaySummary(rogueKey.Id, 2, mesh.Now.ToUnixTimeMilliseconds(), UplinkState.Up, [], 1, 1, 0, 0, 0, 0, false, ReadOnlyMemory<byte>.Empty), rogueKey);
        var c = mesh.Slots[2].Node.Counters;
        long authorityBefore = c.RejectsByReason[(int)RejectReason.UnknownAuthority];
        long senderBefore = c.RejectsByReason[(int)RejectReason.UnknownSender];
        mesh.Inject(2, "sim:50", Encode(new PushPullRecords(rogueKey.Id.ShortId, 1, [record, summary])));
        mesh.Inject(2, "sim:50", Encode(new Ping(rogueKey.Id.ShortId, 1, mesh.Slots[2].Node.Id.ShortId, 0, [])));
        Assert.Equal(authorityBefore + 1, c.RejectsByReason[(int)RejectReason.UnknownAuthority]);
        Assert.Equal(senderBefore + 1, c.RejectsByReason[(int)RejectReason.UnknownSender]);
        Assert.DoesNotContain(mesh.Slots[2].Node.Snapshot().Members, m => m.Id == rogueKey.Id);
        mesh.RunFor(TimeSpan.FromSeconds(5));
        Assert.DoesNotContain(mesh.Slots[2].Node.Snapshot().Members, m => m.Id == rogueKey.Id);
    }

    [Fact]
    public void Revocation_removes_a_member_everywhere()
    {
        using var mesh = Converged();
        var victim = mesh.Slots[6];
        var revocation = mesh.Authority.Revoke(victim.Node.Id, victim.Certificate.Serial, mesh.Now, "stolen router");
        Assert.True(mesh.Slots[2].Node.SubmitRevocation(revocation));
        mesh.Pump(mesh.Slots[2]);
        mesh.RunFor(TimeSpan.FromSeconds(10));
        foreach (var s in mesh.Slots.Where(s => s.Index != 6))
        {
            var m = s.Node.Snapshot().Members.Single(m => m.Id == victim.Node.Id);
            Assert.Equal(MemberState.Left, m.State);
        }
    }

    [Fact]
    public void Same_seed_gives_the_same_trace()
    {
        string Trace(ulong seed)
        {
            using var mesh = new MiniMesh(6, 1, seed) { Record = true };
            mesh.StartAll();
            mesh.PublishSummary(0, UplinkState.Up);
            mesh.RunFor(TimeSpan.FromSeconds(10));
            using var h = System.Security.Cryptography.IncrementalHash.CreateHash(System.Security.Cryptography.HashAlgorithmName.SHA256);
            foreach (var (f, t, p) in mesh.Sent) { h.AppendData(BitConverter.GetBytes(f * 1000 + t)); h.AppendData(p); }
            return Convert.ToHexString(h.GetHashAndReset());
        }
        Assert.Equal(Trace(3), Trace(3));
        Assert.NotEqual(Trace(3), Trace(4));
    }

    private static byte[] Encode(Message m)
    {
        var buffer = new byte[WireLimits.MaxDatagram];
        Assert.True(WireCodec.TryEncode(m, buffer, out int n));
        return buffer[..n];
    }
}
