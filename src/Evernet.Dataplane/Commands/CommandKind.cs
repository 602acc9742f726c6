namespace Evernet.Dataplane.Commands;

/// <summary>What a command does to the system; lets dry-run and recording runners tell reads from changes.</summary>
public enum CommandKind : byte
{
    /// <summary>Only reads installed state.</summary>
    Read = 0,

    /// <summary>Changes installed state.</summary>
    Mutate = 1,

    /// <summary>Capability detection: creates and removes a throwaway object.</summary>
    Probe = 2,
}
