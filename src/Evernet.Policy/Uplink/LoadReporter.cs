namespace Evernet.Policy;

/// <summary>Cumulative byte counters of the WAN interface at one moment (rx = download, tx = upload).</summary>
public readonly record struct InterfaceCounterSample(long AtUnixMs, ulong RxBytes, ulong TxBytes);

/// <summary>The load figures a summary carries.</summary>
public sealed record LoadSnapshot(
    ulong CapacityDownBps,
    ulong CapacityUpBps,
    ulong LoadDownBps,
    ulong LoadUpBps,
    uint ActiveFlows,
    uint AttachedClients);

public enum LoadPublishReason : byte
{
    None = 0,
    SteadyInterval,
    SignificantLoadChange,
    FlowsChanged,
    ClientsChanged,
    CapacityChanged,
}

/// <summary>
/// WAN throughput from successive interface counter samples (wrap and reset handled), plus flows and attached clients,
/// and the decision when load alone is worth a re-signed summary: on a steady interval, or when load moved by a
/// significant fraction of capacity — never on every sample, which would flood the gossip with near-identical summaries.
/// </summary>
public sealed class LoadReporter
{
    private readonly LoadReporterOptions _options;
    private InterfaceCounterSample? _previous;
    private double _downBps, _upBps;
    private bool _haveRate;
    private ulong _capacityDown, _capacityUp;
    private uint _flows, _clients;
    private LoadSnapshot? _published;
    private long _publishedAt;

    public LoadReporter(LoadReporterOptions options)
    {
        options.ThrowIfInvalid();
        _options = options;
        _capacityDown = options.CapacityDownBps;
        _capacityUp = options.CapacityUpBps;
    }

    /// <summary>Samples rejected as counter resets or non-monotonic time.</summary>
    public long DiscardedSamples { get; private set; }

    /// <summary>The modem resynced at a different rate.</summary>
    public void SetCapacity(ulong downBps, ulong upBps)
    {
        if (downBps == 0 || upBps == 0) throw new ArgumentOutOfRangeException(nameof(downBps), "capacity must be positive");
        _capacityDown = downBps;
        _capacityUp = upBps;
    }

    public void RecordFlows(uint activeFlows, uint attachedClients)
    {
        _flows = activeFlows;
        _clients = attachedClients;
    }

    /// <summary>Feeds a counter sample; the rate is the byte delta over the time delta, smoothed.</summary>
    public void RecordCounters(InterfaceCounterSample sample)
    {
        if (_previous is not { } previous)
        {
            _previous = sample;
            return;
        }
        long dtMs = sample.AtUnixMs - previous.AtUnixMs;
        if (dtMs <= 0)
        {
            DiscardedSamples++;
            return;
        }
        _previous = sample;
        if (!TryDelta(previous.RxBytes, sample.RxBytes, out ulong rx) || !TryDelta(previous.TxBytes, sample.TxBytes, out ulong tx))
        {
            DiscardedSamples++;
            return;
        }
        double down = rx * 8.0 * 1000 / dtMs, up = tx * 8.0 * 1000 / dtMs;
        if (down > _capacityDown * _options.ImplausibleRateFactor || up > _capacityUp * _options.ImplausibleRateFactor)
        {
            // A wrapped delta this large is a counter reset (interface re-created, driver reload): rebase, keep the old rate.
            DiscardedSamples++;
            return;
        }
        if (!_haveRate || _options.RateSmoothingMs == 0)
        {
            _downBps = down;
            _upBps = up;
            _haveRate = true;
            return;
        }
        double alpha = 1 - Math.Exp(-(double)dtMs / _options.RateSmoothingMs);
        _downBps += alpha * (down - _downBps);
        _upBps += alpha * (up - _upBps);
    }

    private bool TryDelta(ulong before, ulong after, out ulong delta)
    {
        if (after >= before)
        {
            delta = after - before;
            return true;
        }
        if (_options.CounterBits == 32 && before <= uint.MaxValue && after <= uint.MaxValue)
        {
            delta = (1UL << 32) - before + after;
            return true;
        }
        // A 64-bit counter does not wrap in a router's lifetime: going backwards is a reset.
        delta = 0;
        return false;
    }

    public LoadSnapshot Current => new(_capacityDown, _capacityUp, (ulong)Math.Round(_downBps), (ulong)Math.Round(_upBps), _flows, _clients);

    /// <summary>Whether the load alone justifies re-signing now.</summary>
    public LoadPublishReason Due(long nowUnixMs)
    {
        if (_published is null) return LoadPublishReason.SteadyInterval;
        long since = nowUnixMs - _publishedAt;
        if (since >= _options.SteadyIntervalMs) return LoadPublishReason.SteadyInterval;
        if (since < _options.MinIntervalMs) return LoadPublishReason.None;
        var now = Current;
        var last = _published;
        if (now.CapacityDownBps != last.CapacityDownBps || now.CapacityUpBps != last.CapacityUpBps) return LoadPublishReason.CapacityChanged;
        if (Math.Abs((double)now.LoadDownBps - last.LoadDownBps) > _options.SignificantLoadFraction * now.CapacityDownBps
            || Math.Abs((double)now.LoadUpBps - last.LoadUpBps) > _options.SignificantLoadFraction * now.CapacityUpBps)
            return LoadPublishReason.SignificantLoadChange;
        long flowDelta = Math.Abs((long)now.ActiveFlows - last.ActiveFlows);
        if (flowDelta >= _options.SignificantFlowDelta && flowDelta > _options.SignificantFlowFraction * last.ActiveFlows) return LoadPublishReason.FlowsChanged;
        if (now.AttachedClients != last.AttachedClients) return LoadPublishReason.ClientsChanged;
        return LoadPublishReason.None;
    }

    /// <summary>Remember what was published, and when: the reference for the next significance test.</summary>
    public void MarkPublished(long nowUnixMs, LoadSnapshot snapshot)
    {
        _published = snapshot;
        _publishedAt = nowUnixMs;
    }

    /// <summary>The latest moment at which <see cref="Due"/> turns true without any change: the steady re-sign.</summary>
    public long NextSteadyUnixMs => _published is null ? long.MinValue : _publishedAt + _options.SteadyIntervalMs;
}
