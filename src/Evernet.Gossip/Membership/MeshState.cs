using Evernet.Gossip.Identity;
using Evernet.Gossip.Records;
using Evernet.Gossip.View;

namespace Evernet.Gossip.Membership;

/// <summary>What is known of one origin: its best record, the deciding accusation, its summary (gateways), the merged liveness.</summary>
public sealed class OriginState
{
    public OriginState(NodeRecord record)
    {
        Record = record;
        Liveness = MergeRules.LivenessOf(record);
        HighestRecordIncarnation = record.Incarnation;
    }

    /// <summary>The highest incarnation of any record seen from this origin: accusations below it are refuted.</summary>
    public uint HighestRecordIncarnation { get; internal set; }
    public NodeRecord Record { get; internal set; }
    public Accusation? Accusation { get; internal set; }
    public GatewaySummary? Summary { get; internal set; }
    public Liveness Liveness { get; internal set; }
    public NodeId Id => Record.Origin;
    public bool IsGateway => Record.Certificate.IsGateway;
}

public enum ApplyOutcome : byte
{
    /// <summary>State changed.</summary>
    Applied,
    /// <summary>Already held exactly this.</summary>
    Duplicate,
    /// <summary>Older than what is held.</summary>
    Stale,
    /// <summary>Refers to an origin that is not known yet; held until its record arrives (bounded).</summary>
    Pending,
    /// <summary>Refers to an origin that is not known, and the pending buffer is full.</summary>
    UnknownOrigin,
    /// <summary>A gateway summary from an origin whose certificate has no gateway role.</summary>
    NotAGateway,
}

/// <summary>
/// The merged signed state of the mesh, for items that have already been verified. Every apply is a lattice join per
/// origin, so any delivery order of the same set of items yields the same state (stated as FsCheck properties).
/// Time-driven behaviour (suspicion timers, reaping) lives in the node, not here.
/// </summary>
public sealed class MeshState
{
    private readonly Dictionary<ulong, OriginState> _byShortId = new();
    private readonly Dictionary<(NodeId, ulong, NodeId), Revocation> _revocations = new();
    private readonly Dictionary<ulong, List<IGossipItem>> _pending = new();
    private int _pendingCount;
    public const int MaxPendingItems = 1024;
    public const int MaxPendingPerOrigin = 16;

    public int Count => _byShortId.Count;
    public IEnumerable<OriginState> Origins => _byShortId.Values;
    public IEnumerable<Revocation> Revocations => _revocations.Values;

    public OriginState? Find(ulong shortId) => _byShortId.GetValueOrDefault(shortId);

    // Kept sorted on every add and remove (a binary search and a shift): when a whole mesh joins at once, re-sorting
    // after each new origin cost O(N log N) per join.
    private readonly List<ulong> _sortedShortIds = new();

    /// <summary>Every origin's short id in ascending order.</summary>
    public ReadOnlySpan<ulong> SortedShortIds => System.Runtime.InteropServices.CollectionsMarshal.AsSpan(_sortedShortIds);

    public OriginState? Find(NodeId id) =>
        _byShortId.TryGetValue(id.ShortId, out var o) && o.Id == id ? o : null;

    public ApplyOutcome Apply(NodeRecord record, out OriginState origin)
    {
        Released.Clear();
        if (!_byShortId.TryGetValue(record.Origin.ShortId, out var existing))
        {
            origin = new OriginState(record);
            _byShortId[record.Origin.ShortId] = origin;
            int at = _sortedShortIds.BinarySearch(record.Origin.ShortId);
            _sortedShortIds.Insert(at < 0 ? ~at : at, record.Origin.ShortId);
            DrainPending(record.Origin.ShortId);
            return ApplyOutcome.Applied;
        }
        origin = existing;
        if (existing.Id != record.Origin) return ApplyOutcome.UnknownOrigin; // 64-bit short-id collision: first one keeps the name
        int c = MergeRules.Compare(record, existing.Record);
        // Liveness is the join over everything the origin ever signed, so even an older record may raise it.
        var liveness = Liveness.Merge(existing.Liveness, MergeRules.LivenessOf(record));
        bool livenessChanged = liveness != existing.Liveness;
        existing.Liveness = liveness;
        if (c > 0) existing.Record = record;
        existing.HighestRecordIncarnation = Math.Max(existing.HighestRecordIncarnation, record.Incarnation);
        // A refuted accusation no longer decides anything; dropping it everywhere keeps every node's digest equal (the
        // accused node itself never holds accusations about itself, so keeping them made anti-entropy differ forever).
        // "Refuted" is judged by the highest record incarnation ever seen, so the order of delivery does not matter.
        if (existing.Accusation is { } held && held.Incarnation < existing.HighestRecordIncarnation) existing.Accusation = null;
        if (c > 0 || livenessChanged) return ApplyOutcome.Applied;
        return c == 0 ? ApplyOutcome.Duplicate : ApplyOutcome.Stale;
    }

    public ApplyOutcome Apply(GatewaySummary summary, out OriginState? origin)
    {
        origin = Find(summary.Origin);
        if (origin is null) return Hold(summary.Origin.ShortId, summary);
        if (!origin.IsGateway) return ApplyOutcome.NotAGateway;
        if (origin.Summary is { } held)
        {
            int c = MergeRules.Compare(summary, held);
            if (c == 0) return ApplyOutcome.Duplicate;
            if (c < 0) return ApplyOutcome.Stale;
        }
        origin.Summary = summary;
        return ApplyOutcome.Applied;
    }

    public ApplyOutcome Apply(Accusation accusation, out OriginState? target)
    {
        target = Find(accusation.Target);
        if (target is null) return Hold(accusation.Target.ShortId, accusation);
        if (accusation.Incarnation < target.HighestRecordIncarnation) return ApplyOutcome.Stale;
        var merged = MergeRules.Merge(target.Accusation, accusation);
        if (ReferenceEquals(merged, target.Accusation) && target.Accusation is not null)
            return MergeRules.Compare(accusation, target.Accusation) == 0 ? ApplyOutcome.Duplicate : ApplyOutcome.Stale;
        target.Accusation = merged;
        var before = target.Liveness;
        target.Liveness = Liveness.Merge(before, MergeRules.LivenessOf(accusation));
        return ApplyOutcome.Applied;
    }

    public ApplyOutcome Apply(Revocation revocation)
    {
        var key = MergeRules.KeyOf(revocation);
        if (_revocations.ContainsKey(key)) return ApplyOutcome.Duplicate;
        _revocations[key] = revocation;
        return ApplyOutcome.Applied;
    }

    private ApplyOutcome Hold(ulong shortId, IGossipItem item)
    {
        if (_pendingCount >= MaxPendingItems) return ApplyOutcome.UnknownOrigin;
        if (!_pending.TryGetValue(shortId, out var list)) _pending[shortId] = list = new List<IGossipItem>(1);
        if (list.Count >= MaxPendingPerOrigin) return ApplyOutcome.UnknownOrigin;
        list.Add(item);
        _pendingCount++;
        return ApplyOutcome.Pending;
    }

    /// <summary>Items held for an origin that just became known; they are applied in arrival order (the result does not depend on it).</summary>
    public List<IGossipItem>? TakePending(ulong shortId)
    {
        if (!_pending.Remove(shortId, out var list)) return null;
        _pendingCount -= list.Count;
        return list;
    }

    /// <summary>The held items that the last new origin's record released and that applied; the node announces them.</summary>
    public List<IGossipItem> Released { get; } = new();

    private void DrainPending(ulong shortId)
    {
        Released.Clear();
        var list = TakePending(shortId);
        if (list is null) return;
        foreach (var item in list)
        {
            var outcome = item switch
            {
                GatewaySummary g => Apply(g, out _),
                Accusation a => Apply(a, out _),
                _ => ApplyOutcome.Duplicate,
            };
            if (outcome == ApplyOutcome.Applied) Released.Add(item);
        }
    }

    public int PendingCount => _pendingCount;

    /// <summary>Forget an origin entirely (reaping a tombstone, or a revoked member).</summary>
    public bool Remove(NodeId id)
    {
        if (Find(id) is null || !_byShortId.Remove(id.ShortId)) return false;
        int at = _sortedShortIds.BinarySearch(id.ShortId);
        if (at >= 0) _sortedShortIds.RemoveAt(at);
        return true;
    }

    /// <summary>A stable description of the merged state, for comparing two stores (tests, convergence checks).</summary>
    public string Fingerprint()
    {
        var sb = new System.Text.StringBuilder();
        foreach (var o in _byShortId.Values.OrderBy(o => o.Id))
        {
            sb.Append(o.Id.Fingerprint).Append(' ').Append(o.Record.Version).Append(' ')
              .Append(o.Liveness.Incarnation).Append(':').Append(o.Liveness.State).Append(' ')
              .Append(o.Summary?.Version ?? 0).Append(' ')
              .Append(o.Accusation is null ? "-" : Convert.ToHexString(o.Accusation.Signature.Span)).Append('\n');
        }
        foreach (var r in _revocations.Keys.OrderBy(k => k.Item1).ThenBy(k => k.Item2).ThenBy(k => k.Item3))
            sb.Append("rev ").Append(r.Item1.Fingerprint).Append(' ').Append(r.Item2).Append('\n');
        return sb.ToString();
    }
}
