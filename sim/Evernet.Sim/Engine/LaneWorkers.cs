using System.Diagnostics;
using System.Runtime.CompilerServices;

namespace Evernet.Sim.Engine;

/// <summary>
/// Threads for lanes 1..N-1 (the caller runs lane 0). A segment is the stretch of virtual time between two scenario
/// actions: every lane runs <see cref="Lane.RunSegment"/> on its thread, synchronised only by the lanes' promises, and
/// the segment ends when all have returned. A worker that waits long between segments (the engine is in a serial
/// phase) parks on a monitor instead of spinning.
/// </summary>
internal sealed class LaneWorkers : IDisposable
{
    private const int SpinsBeforeParking = 200;
    private readonly Lane[] _lanes;
    private readonly Thread[] _threads;
    private readonly Exception?[] _failures;
    private readonly StrongBox<bool> _stop = new(false);
    private readonly object _gate = new();
    private long _phase;
    private long _segmentEnd;
    private int _pending;
    private int _sleepers;
    private volatile bool _stopping;

    /// <summary>Segments run so far.</summary>
    public long Segments { get; private set; }
    /// <summary>Stopwatch ticks lane 0's thread waited for the others at segment ends.</summary>
    public long WaitTicks { get; private set; }
    /// <summary>Stopwatch ticks between the start and the end of segments (the rest of a run is serial).</summary>
    public long InSegmentTicks { get; private set; }

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

    /// <summary>
    /// Runs every lane's events before <paramref name="segmentEnd"/>; <paramref name="now"/> is the engine's time, at or
    /// before every pending event. Returns when all lanes are done (rethrows a lane's failure).
    /// </summary>
    public void RunSegment(long segmentEnd, long now)
    {
        long began = Stopwatch.GetTimestamp();
        try
        {
            foreach (var lane in _lanes) lane.ResetPromise(now);
            _segmentEnd = segmentEnd;
            Volatile.Write(ref _pending, _threads.Length);
            Interlocked.Increment(ref _phase);
            if (Volatile.Read(ref _sleepers) > 0)
                lock (_gate) Monitor.PulseAll(_gate);
            Run(0, segmentEnd);
            Segments++;
            if (Volatile.Read(ref _pending) > 0)
            {
                long waitBegan = Stopwatch.GetTimestamp();
                var spin = new SpinWait();
                while (Volatile.Read(ref _pending) > 0) spin.SpinOnce(sleep1Threshold: -1);
                WaitTicks += Stopwatch.GetTimestamp() - waitBegan;
            }
        }
        finally
        {
            InSegmentTicks += Stopwatch.GetTimestamp() - began;
        }
        foreach (var failure in _failures)
            if (failure is not null)
            {
                Array.Clear(_failures);
                throw failure is SimulationException ? failure : new SimulationException("a simulation lane failed", failure);
            }
    }

    private void Run(int lane, long segmentEnd)
    {
        try
        {
            _lanes[lane].RunSegment(segmentEnd, _lanes, _stop);
        }
        catch (Exception ex)
        {
            _failures[lane] = ex;
            // The others wait for this lane's promise, which will not rise any more.
            Volatile.Write(ref _stop.Value, true);
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
            Run(lane, Volatile.Read(ref _segmentEnd));
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
