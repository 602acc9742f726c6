namespace Evernet.Sim.Network;

public enum TopologyKind : byte
{
    Evernet = 0,
    Geometric = 1,
    Full = 2,
}

/// <summary>What to generate. <see cref="MeshLoss"/> is the per-hop loss of household mesh links (and of every link of the generic topologies).</summary>
public sealed record TopologyOptions(
    TopologyKind Kind,
    int Nodes,
    int Gateways,
    double MeshLoss,
    double BackboneLoss = 0.001,
    bool Bandwidth = false,
    int HouseholdsPerVillage = 24);
