namespace Evernet.Sim.Network;

public enum DropReason : byte
{
    None = 0,
    Unreachable,
    Loss,
    QueueFull,
    UnknownAddress,
    NodeDown,
}
