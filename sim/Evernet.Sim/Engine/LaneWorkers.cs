namespace Evernet.Sim.Engine;

/// <summary>
/// Threads for lanes 1..N-1 (the caller runs lane 0). Windows are short (about a millisecond of virtual time, tens of
/// events per lane), so a window starts by bumping a phase counter the workers spin on, and ends when all have
/// counted down; a worker that waits long (the engine is in a serial phase) parks on a monitor instead of spinning.
/// </summary>
internal sealed class LaneWorkers : IDisposable
{
    private const int SpinsBeforeParking = 200;
    private readonly Lane[] _lanes;
    private readonly Thread[] _threads;
    private readonly Exception?[] _failures;
    private readonly object _gate = new();
    private long _phase;
    private long _windowEnd;
    private int _pending;
    private int _sleepers;
    private volatile bool _stopping;

    /// <summary>Windows run so far.</summary>
    public long Windows { get; private set; }
    /// <summary>Stopwatch ticks lane 0's thread waited for the others after finishing its share of a window.</summary>
    public long WaitTicks { get; private set; }

    public LaneWorkers(Lane[] lanes)
    {
        _lanes = lanes;
        _failures = new Exception?[lanes.Length];
        _threads = new Thread[lanes.Length - 1];
        for (int i = 1; i < lanes.Length; i++)
        {
            int lane = i;
            _threads[i - 1] = new Thread(() => Work(lane)) { IsBackground = true, Name = $"sim-lane-{lane}" };
            _threads[i - 1].Start();
        }
    }

    /// <summary>Runs every lane up to <paramref name="windowEnd"/>; returns when all are done (rethrows a lane's failure).</summary>
    public void RunWindow(long windowEnd)
    {
        long windowBegan = System.Diagnostics.Stopwatch.GetTimestamp();
        try
        {
            RunWindowOnAllLanes(windowEnd);
        }
        finally
        {
            InWindowTicks += System.Diagnostics.Stopwatch.GetTimestamp() - windowBegan;
        }
    }

    /// <summary>Stopwatch ticks between the start and the end of windows (the rest of a run is serial).</summary>
    public long InWindowTicks { get; private set; }

    private void RunWindowOnAllLanes(long windowEnd)
    {
        _windowEnd = windowEnd;
        Volatile.Write(ref _pending, _threads.Length);
        Interlocked.Increment(ref _phase);
        if (Volatile.Read(ref _sleepers) > 0)
            lock (_gate) Monitor.PulseAll(_gate);
        try
        {
            _lanes[0].RunWindow(windowEnd);
        }
        catch (Exception ex)
        {
            _failures[0] = ex;
        }
        Windows++;
        if (Volatile.Read(ref _pending) > 0)
        {
            long began = System.Diagnostics.Stopwatch.GetTimestamp();
            var spin = new SpinWait();
            while (Volatile.Read(ref _pending) > 0) spin.SpinOnce(sleep1Threshold: -1);
            WaitTicks += System.Diagnostics.Stopwatch.GetTimestamp() - began;
        }
        foreach (var failure in _failures)
            if (failure is not null)
            {
                Array.Clear(_failures);
                throw failure is SimulationException ? failure : new SimulationException("a simulation lane failed", failure);
            }
    }

    private void Work(int lane)
    {
        long seen = 0;
        while (true)
        {
            int spins = 0;
            while (Volatile.Read(ref _phase) == seen && !_stopping)
            {
                if (++spins < SpinsBeforeParking)
                {
                    Thread.SpinWait(30);
                    continue;
                }
                Interlocked.Increment(ref _sleepers);
                lock (_gate)
                {
                    while (Volatile.Read(ref _phase) == seen && !_stopping) Monitor.Wait(_gate);
                }
                Interlocked.Decrement(ref _sleepers);
            }
            if (_stopping) return;
            seen = Volatile.Read(ref _phase);
            try
            {
                _lanes[lane].RunWindow(Volatile.Read(ref _windowEnd));
            }
            catch (Exception ex)
            {
                _failures[lane] = ex;
            }
            Interlocked.Decrement(ref _pending);
        }
    }

    public void Dispose()
    {
        _stopping = true;
        lock (_gate) Monitor.PulseAll(_gate);
        foreach (var t in _threads) t.Join();
    }
}
