namespace Evernet.Gossip.Runtime;

/// <summary>
/// What the core needs persisted so that its record versions never go backwards across a restart.
/// The core reserves versions in blocks: it calls <see cref="StoreCeiling"/> before it signs with any version above the
/// last stored ceiling, and on start it continues above <see cref="LoadCeiling"/>. The host must make the store durable
/// (write, fsync, rename) before returning.
/// </summary>
public interface IVersionStore
{
    ulong LoadCeiling();
    void StoreCeiling(ulong ceiling);
}

/// <summary>In-memory store, for the simulator (it survives a simulated restart) and tests.</summary>
public sealed class InMemoryVersionStore : IVersionStore
{
    private ulong _ceiling;
    public InMemoryVersionStore(ulong ceiling = 0) => _ceiling = ceiling;
    public ulong LoadCeiling() => _ceiling;
    public void StoreCeiling(ulong ceiling) => _ceiling = ceiling;
}
