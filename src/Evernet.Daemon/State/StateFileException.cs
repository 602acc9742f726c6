namespace Evernet.Daemon.State;

/// <summary>A state or key file is missing, unreadable, corrupt or unsafe. The message names the file and the remedy.</summary>
public class StateFileException : Exception
{
    public StateFileException(string message) : base(message) { }
    public StateFileException(string message, Exception inner) : base(message, inner) { }
}

/// <summary>
/// The version ceiling is gone although this node has signed records before: starting from 0 would make every peer
/// ignore our new records as stale (or accept an old, replayed one). Refuse unless the operator resets the floor.
/// </summary>
public sealed class VersionFloorMissingException(string message) : StateFileException(message);
