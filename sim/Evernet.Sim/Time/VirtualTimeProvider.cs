namespace Evernet.Sim.Time;

/// <summary>
/// One node's view of the shared <see cref="VirtualClock"/>, with an optional fixed skew (a node whose clock is off).
/// The core is sans-IO and must never create timers: the engine calls HandleTimeout from NextTimeout instead.
/// </summary>
public sealed class VirtualTimeProvider : TimeProvider
{
    private readonly VirtualClock _clock;

    public VirtualTimeProvider(VirtualClock clock, TimeSpan skew = default)
    {
        _clock = clock;
        SkewTicks = skew.Ticks;
    }

    /// <summary>How far this node's wall clock is ahead (positive) or behind (negative) virtual time.</summary>
    public long SkewTicks { get; set; }

    public override DateTimeOffset GetUtcNow() => VirtualClock.Epoch.AddTicks(_clock.NowTicks + SkewTicks);

    public override TimeZoneInfo LocalTimeZone => TimeZoneInfo.Utc;

    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    public override long GetTimestamp() => _clock.NowTicks;

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period) =>
        throw new NotSupportedException("the simulator drives nodes through HandleTimeout/NextTimeout; a sans-IO core must not create timers");
}
