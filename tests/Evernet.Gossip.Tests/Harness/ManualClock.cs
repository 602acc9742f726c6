namespace Evernet.Gossip.Tests.Harness;

/// <summary>A clock the test moves by hand: the sans-IO boundary's only fake.</summary>
internal sealed class ManualClock : TimeProvider
{
    public ManualClock(DateTimeOffset start) => Now = start;
    public DateTimeOffset Now { get; set; }
    public override DateTimeOffset GetUtcNow() => Now;
}
