namespace Evernet.Sim.Engine;

/// <summary>
/// The core under test threw (it must never), or the engine broke one of its own invariants: the run stops with the
/// seed and moment that reproduce it.
/// </summary>
public sealed class SimulationException : Exception
{
    public SimulationException(string message) : base(message) { }
    public SimulationException(string message, Exception inner) : base(message, inner) { }
}
