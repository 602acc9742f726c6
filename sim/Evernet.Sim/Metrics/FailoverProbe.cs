namespace Evernet.Sim.Metrics;

/// <summary>
/// One measured fault: from <see cref="StartTicks"/> (the gateway signed its uplink-down summary, or crashed) until the
/// last live observer marks the gateway unusable. With <see cref="TargetUsable"/> the same measures a recovery: until the
/// last observer marks it usable again.
/// </summary>
public sealed class FailoverProbe
{
    private readonly long[] _detectedAt;

    public FailoverProbe(string kind, int gateway, long startTicks, bool[] observers, bool targetUsable = false)
    {
        Kind = kind;
        TargetUsable = targetUsable;
        Gateway = gateway;
        StartTicks = startTicks;
        Observers = observers;
        _detectedAt = new long[observers.Length];
        Array.Fill(_detectedAt, -1);
        for (int i = 0; i < observers.Length; i++) if (observers[i]) Remaining++;
    }

    public string Kind { get; }
    public bool TargetUsable { get; }
    public int Gateway { get; }
    public long StartTicks { get; }
    public bool[] Observers { get; }
    public int Remaining { get; private set; }
    public long CompletedAtTicks { get; private set; } = -1;
    public bool Closed { get; private set; }

    public void Detected(int observer, long atTicks)
    {
        if (Closed || !Observers[observer] || _detectedAt[observer] >= 0) return;
        _detectedAt[observer] = Math.Max(atTicks, StartTicks);
        if (--Remaining == 0) CompletedAtTicks = Math.Max(atTicks, StartTicks);
    }

    /// <summary>An observer crashed: it no longer counts.</summary>
    public void Drop(int observer)
    {
        if (Closed || !Observers[observer]) return;
        Observers[observer] = false;
        if (_detectedAt[observer] < 0 && --Remaining == 0)
        {
            long last = StartTicks;
            foreach (var t in _detectedAt) last = Math.Max(last, t);
            CompletedAtTicks = last;
        }
    }

    public void Close() => Closed = true;

    /// <summary>Per-observer detection delays in ms, for those that detected.</summary>
    public IEnumerable<double> ObserverDelaysMs()
    {
        for (int i = 0; i < _detectedAt.Length; i++)
            if (Observers[i] && _detectedAt[i] >= 0) yield return (_detectedAt[i] - StartTicks) / (double)TimeSpan.TicksPerMillisecond;
    }

    public double? FailoverMs => CompletedAtTicks < 0 ? null : (CompletedAtTicks - StartTicks) / (double)TimeSpan.TicksPerMillisecond;
}
