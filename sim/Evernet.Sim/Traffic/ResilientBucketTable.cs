namespace Evernet.Sim.Traffic;

/// <summary>
/// A resilient nexthop group as Linux implements it (net/ipv4/nexthop.c, "res" groups): a fixed number of hash buckets,
/// each pointing at one nexthop (here: a gateway slot). Each nexthop wants a number of buckets proportional to its
/// weight (cumulative rounding, like the kernel's nh_res_group_rebalance). On an upkeep pass, in bucket order:
/// a bucket whose nexthop left the group (weight 0) is re-pointed at once, whatever its traffic; a bucket of an
/// over-weight nexthop is re-pointed only if it is idle (no active flow and unused for the idle timer); the new nexthop
/// is the first under-weight one. Busy buckets of a surviving nexthop never move (the kernel's unbalanced timer, which
/// would force them, is off by default and in the plan).
/// </summary>
public sealed class ResilientBucketTable
{
    private readonly int[] _gateway;
    private readonly int[] _active;
    private readonly long[] _lastUsed;
    private readonly int[] _count;
    private readonly int[] _wants;
    private readonly int[] _weights;
    private readonly long _idleTicks;

    public ResilientBucketTable(int buckets, int slots, TimeSpan idleTimer)
    {
        if (buckets < 1) throw new ArgumentOutOfRangeException(nameof(buckets));
        if (slots < 1) throw new ArgumentOutOfRangeException(nameof(slots));
        _gateway = new int[buckets];
        Array.Fill(_gateway, -1);
        _active = new int[buckets];
        _lastUsed = new long[buckets];
        Array.Fill(_lastUsed, long.MinValue / 2);
        _count = new int[slots];
        _wants = new int[slots];
        _weights = new int[slots];
        _idleTicks = idleTimer.Ticks;
    }

    public int Buckets => _gateway.Length;
    public int Slots => _count.Length;
    /// <summary>The group exists (some nexthop has weight): flows can be placed.</summary>
    public bool HasRoute { get; private set; }
    /// <summary>Every nexthop holds exactly the buckets it wants.</summary>
    public bool Balanced { get; private set; } = true;

    public int GatewayOf(int bucket) => _gateway[bucket];
    public int CountOf(int slot) => _count[slot];
    public int WantsOf(int slot) => _wants[slot];
    public int WeightOf(int slot) => _weights[slot];
    public int ActiveFlowsIn(int bucket) => _active[bucket];

    public bool IsBusy(int bucket, long nowTicks) => _active[bucket] > 0 || nowTicks - _lastUsed[bucket] < _idleTicks;

    public void FlowStarted(int bucket, long nowTicks)
    {
        _active[bucket]++;
        _lastUsed[bucket] = nowTicks;
    }

    public void FlowEnded(int bucket, long nowTicks)
    {
        if (_active[bucket] <= 0) throw new InvalidOperationException($"bucket {bucket} has no active flow to end");
        _active[bucket]--;
        _lastUsed[bucket] = nowTicks;
    }

    /// <summary>
    /// Installs new nexthop weights (per slot, 0 = not in the group) and runs an upkeep pass. With no positive weight the
    /// route is gone: buckets keep their (now meaningless) pointers and nothing new is placed. Returns the buckets moved.
    /// </summary>
    public int SetWeights(ReadOnlySpan<int> weights, long nowTicks)
    {
        if (weights.Length != _weights.Length) throw new ArgumentException("one weight per slot", nameof(weights));
        weights.CopyTo(_weights);
        long total = 0;
        foreach (int w in weights)
        {
            if (w < 0) throw new ArgumentOutOfRangeException(nameof(weights), "weights are non-negative");
            total += w;
        }
        HasRoute = total > 0;
        if (!HasRoute)
        {
            Array.Clear(_wants);
            Balanced = false;
            return 0;
        }
        // The kernel's cumulative rounding: wants sum to the bucket count exactly.
        long cumulative = 0;
        int previousBound = 0;
        for (int s = 0; s < _weights.Length; s++)
        {
            cumulative += _weights[s];
            int bound = (int)((2 * cumulative * Buckets + total) / (2 * total));
            _wants[s] = bound - previousBound;
            previousBound = bound;
        }
        return Upkeep(nowTicks);
    }

    /// <summary>One pass over the buckets (the kernel repeats it as idle timers expire). Returns the buckets moved.</summary>
    public int Upkeep(long nowTicks)
    {
        if (!HasRoute) return 0;
        int moved = 0;
        int underweight = NextUnderweight(0);
        for (int b = 0; b < _gateway.Length && underweight >= 0; b++)
        {
            int g = _gateway[b];
            bool orphaned = g < 0 || _wants[g] == 0;
            bool surplus = !orphaned && _count[g] > _wants[g] && !IsBusy(b, nowTicks);
            if (!orphaned && !surplus) continue;
            if (g >= 0) _count[g]--;
            _gateway[b] = underweight;
            _count[underweight]++;
            moved++;
            if (_count[underweight] >= _wants[underweight]) underweight = NextUnderweight(underweight + 1);
        }
        Balanced = true;
        for (int s = 0; s < _count.Length; s++)
            if (_count[s] != _wants[s]) Balanced = false;
        return moved;
    }

    private int NextUnderweight(int from)
    {
        for (int s = from; s < _count.Length; s++)
            if (_count[s] < _wants[s]) return s;
        for (int s = 0; s < Math.Min(from, _count.Length); s++)
            if (_count[s] < _wants[s]) return s;
        return -1;
    }
}
