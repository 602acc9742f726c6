namespace Evernet.Sim.Network;

/// <summary>A generated network: the graph, which nodes are gateways, and where a partition fault cuts it.</summary>
public sealed class Topology
{
    public Topology(string kind, NetworkModel network, int[] gateways, int[] partitionSide, string description)
    {
        Kind = kind;
        Network = network;
        Gateways = gateways;
        PartitionSide = partitionSide;
        Description = description;
        var isGateway = new bool[network.NodeCount];
        foreach (var g in gateways) isGateway[g] = true;
        IsGateway = isGateway;
    }

    public string Kind { get; }
    public NetworkModel Network { get; }
    public int NodeCount => Network.NodeCount;
    public int[] Gateways { get; }
    public bool[] IsGateway { get; }
    /// <summary>The nodes a partition fault separates from the rest (a village, or a region).</summary>
    public int[] PartitionSide { get; }
    public string Description { get; }

    /// <summary>The links with exactly one end in <paramref name="side"/>: what a partition takes down.</summary>
    public List<int> CutLinks(IReadOnlyCollection<int> side)
    {
        var inSide = new bool[NodeCount];
        foreach (var n in side) inSide[n] = true;
        var cut = new List<int>();
        for (int i = 0; i < Network.LinkCount; i++)
        {
            ref readonly var l = ref Network.LinkAt(i);
            if (inSide[l.A] != inSide[l.B]) cut.Add(i);
        }
        return cut;
    }
}
