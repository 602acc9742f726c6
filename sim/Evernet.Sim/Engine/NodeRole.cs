namespace Evernet.Sim.Engine;

public enum NodeRole : byte
{
    /// <summary>A certified household router.</summary>
    Member = 0,
    /// <summary>A certified gateway with an uplink; its host publishes summaries.</summary>
    Gateway = 1,
    /// <summary>Runs the real core but with a certificate from an authority nobody trusts; claims the gateway role.</summary>
    Uncertified = 2,
    /// <summary>A certified member turned hostile: it captures what it receives and later replays and tampers with it.</summary>
    Replayer = 3,
}
