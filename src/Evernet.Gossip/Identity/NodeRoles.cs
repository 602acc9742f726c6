namespace Evernet.Gossip.Identity;

[Flags]
public enum NodeRoles : byte
{
    None = 0,
    Node = 1,
    Gateway = 2,
}
