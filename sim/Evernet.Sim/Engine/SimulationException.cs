namespace Evernet.Sim.Engine;

/// <summary>The core under test threw: it must never, so the run stops with the seed and moment that reproduce it.</summary>
public sealed class SimulationException(string message, Exception inner) : Exception(message, inner);
