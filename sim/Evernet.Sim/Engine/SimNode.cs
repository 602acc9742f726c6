using System.Collections.Immutable;
using Evernet.Gossip;
using Evernet.Gossip.Identity;
using Evernet.Gossip.Records;
using Evernet.Gossip.Runtime;
using Evernet.Gossip.View;
using Evernet.Sim.Time;

namespace Evernet.Sim.Engine;

/// <summary>
/// The simulated host of one node: its identity, the version store that survives restarts, the running
/// <see cref="GossipNode"/> (null while crashed) and the bookkeeping the engine needs (timer generation, bytes sent).
/// </summary>
public sealed class SimNode
{
    internal SimNode(int index, NodeRole role, NodeKeyPair key, MembershipCertificate certificate, VirtualTimeProvider time)
    {
        Index = index;
        Role = role;
        Key = key;
        Certificate = certificate;
        Time = time;
        Address = new PeerAddress(AddressOf(index));
    }

    public int Index { get; }
    public NodeRole Role { get; }
    public NodeKeyPair Key { get; }
    public NodeId Id => Key.Id;
    public MembershipCertificate Certificate { get; }
    public PeerAddress Address { get; }
    public VirtualTimeProvider Time { get; }
    public InMemoryVersionStore Versions { get; } = new();

    /// <summary>The running core; null while the node is crashed or has not started.</summary>
    public GossipNode? Core { get; internal set; }
    public bool IsUp => Core is not null;
    public bool IsGateway => Role == NodeRole.Gateway;
    /// <summary>Honest members are what the metrics measure; attackers are watched separately.</summary>
    public bool IsHonest => Role is NodeRole.Member or NodeRole.Gateway;
    public bool HasLeft { get; internal set; }
    public long UpSinceTicks { get; internal set; }
    public int Starts { get; internal set; }
    public ImmutableArray<IGossipItem> WarmState { get; internal set; } = ImmutableArray<IGossipItem>.Empty;

    /// <summary>Extra delay before every input is processed (a slow CPU).</summary>
    public long InputDelayTicks { get; set; }

    public long BytesSent { get; internal set; }
    public long DatagramsSent { get; internal set; }
    /// <summary>Bytes sent when the measurement window began.</summary>
    public long BytesSentAtMeasureStart { get; internal set; }
    /// <summary>Counters of previous incarnations of the core (before crashes), added to the current ones at the end.</summary>
    public GossipCounters? RetiredCounters { get; internal set; }

    internal int TimerGeneration;
    internal long ArmedAt = long.MaxValue;
    /// <summary>The lane (thread) that processes this node's events.</summary>
    internal Lane Lane = null!;
    /// <summary>Loss, jitter and duplication of the datagrams this node sends, drawn in the order it sends them.</summary>
    internal SeededRandom NetworkRandom = null!;
    private long _eventCount;

    /// <summary>Tie-break key of the next event this node pushes (see <see cref="SimEvent.Seq"/>).</summary>
    internal long NextEventSeq() => ((long)(Index + 1) << 40) | ++_eventCount;

    public static string AddressOf(int index) => "sim:" + index.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Parses "sim:&lt;index&gt;"; -1 for anything else.</summary>
    public static int ParseAddress(string address)
    {
        if (address is null || address.Length < 5 || !address.StartsWith("sim:", StringComparison.Ordinal)) return -1;
        int value = 0;
        for (int i = 4; i < address.Length; i++)
        {
            char c = address[i];
            if (c is < '0' or > '9' || value > 100_000_000) return -1;
            value = value * 10 + (c - '0');
        }
        return value;
    }
}
