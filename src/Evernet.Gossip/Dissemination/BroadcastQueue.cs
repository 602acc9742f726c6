using Evernet.Gossip.Records;

namespace Evernet.Gossip.Dissemination;

/// <summary>
/// Updates waiting to be piggybacked. Each is sent about λ·log10(N+1) times, least-sent first and, among equals, newest
/// first (memberlist's TransmitLimitedQueue). A newer item about the same subject replaces the older one in place.
/// </summary>
public sealed class BroadcastQueue
{
    private sealed class Entry
    {
        public required IGossipItem Item;
        public required (GossipItemKind, ulong, ulong) Subject;
        public required int Size;
        public required long Sequence;
        public int Transmits;
    }

    private sealed class Order : IComparer<Entry>
    {
        public static readonly Order Instance = new();
        public int Compare(Entry? x, Entry? y)
        {
            int c = x!.Transmits.CompareTo(y!.Transmits);
            return c != 0 ? c : y.Sequence.CompareTo(x.Sequence);
        }
    }

    private readonly SortedSet<Entry> _queue = new(Order.Instance);
    private readonly Dictionary<(GossipItemKind, ulong, ulong), Entry> _bySubject = new();
    private readonly List<Entry> _taken = new();
    private long _sequence;
    private const int MaxSkips = 8;

    public int Count => _queue.Count;

    /// <summary>What an item is about: a newer item about the same subject makes the older one pointless to send.</summary>
    public static (GossipItemKind, ulong, ulong) SubjectOf(IGossipItem item) => item switch
    {
        NodeRecord r => (GossipItemKind.NodeRecord, r.Origin.ShortId, 0),
        GatewaySummary s => (GossipItemKind.GatewaySummary, s.Origin.ShortId, 0),
        Accusation a => (GossipItemKind.Accusation, a.Target.ShortId, a.Accuser.ShortId),
        Identity.Revocation v => (GossipItemKind.Revocation, v.Node.ShortId, v.Serial),
        _ => throw new ArgumentException("unknown item kind", nameof(item)),
    };

    public void Enqueue(IGossipItem item, int encodedSize)
    {
        var subject = SubjectOf(item);
        if (_bySubject.Remove(subject, out var old)) _queue.Remove(old);
        var entry = new Entry { Item = item, Subject = subject, Size = encodedSize, Sequence = ++_sequence };
        _bySubject[subject] = entry;
        _queue.Add(entry);
    }

    /// <summary>
    /// Moves items into <paramref name="into"/> while they fit in <paramref name="budget"/> bytes; returns the bytes used.
    /// Items sent <paramref name="transmitLimit"/> times leave the queue.
    /// </summary>
    public int Fill(List<IGossipItem> into, int budget, int transmitLimit, int maxItems)
    {
        if (_queue.Count == 0 || budget <= 0 || maxItems <= 0) return 0;
        int used = 0;
        int skipped = 0;
        _taken.Clear();
        foreach (var e in _queue)
        {
            if (into.Count >= maxItems) break;
            if (e.Size > budget - used)
            {
                // Do not walk a long queue for a small remainder: the next message takes what did not fit.
                if (++skipped >= MaxSkips) break;
                continue;
            }
            used += e.Size;
            into.Add(e.Item);
            _taken.Add(e);
            if (budget - used < 40) break; // nothing useful fits in less
        }
        foreach (var e in _taken)
        {
            _queue.Remove(e);
            e.Transmits++;
            if (e.Transmits >= transmitLimit) _bySubject.Remove(e.Subject);
            else _queue.Add(e);
        }
        return used;
    }

    /// <summary>Drop everything about a subject (e.g. a reaped or revoked member).</summary>
    public void Forget(Func<IGossipItem, bool> predicate)
    {
        foreach (var e in _queue.Where(e => predicate(e.Item)).ToList())
        {
            _queue.Remove(e);
            _bySubject.Remove(e.Subject);
        }
    }

    public static int TransmitLimit(double multiplier, int members) =>
        (int)Math.Ceiling(multiplier * Math.Log10(members + 1));
}
