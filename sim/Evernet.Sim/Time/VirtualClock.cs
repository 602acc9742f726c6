namespace Evernet.Sim.Time;

/// <summary>
/// The one clock of a simulation run. Time is kept in ticks (100 ns) since <see cref="Epoch"/>; only the engine advances it,
/// and only forward, so every node sees the same monotonic virtual time.
/// </summary>
public sealed class VirtualClock
{
    /// <summary>A fixed start so that certificates, timestamps and traces are identical on every run.</summary>
    public static readonly DateTimeOffset Epoch = new(2026, 6, 1, 0, 0, 0, TimeSpan.Zero);

    public long NowTicks { get; private set; }

    public DateTimeOffset UtcNow => Epoch.AddTicks(NowTicks);

    public long EpochUnixMs => Epoch.ToUnixTimeMilliseconds();

    /// <summary>Virtual now as Unix milliseconds (what the core stamps into events).</summary>
    public long NowUnixMs => EpochUnixMs + NowTicks / TimeSpan.TicksPerMillisecond;

    public void AdvanceTo(long ticks)
    {
        if (ticks < NowTicks) throw new InvalidOperationException($"virtual time cannot go back: {ticks} < {NowTicks}");
        NowTicks = ticks;
    }

    /// <summary>Converts an absolute moment (as the core reports it) to ticks since the epoch.</summary>
    public static long ToTicks(DateTimeOffset moment) => moment.UtcTicks - Epoch.UtcTicks;

    /// <summary>Converts a Unix-ms timestamp from a core event to ticks since the epoch.</summary>
    public static long UnixMsToTicks(long unixMs) => (unixMs - Epoch.ToUnixTimeMilliseconds()) * TimeSpan.TicksPerMillisecond;
}
