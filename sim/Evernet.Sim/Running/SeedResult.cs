using Evernet.Sim.Network;

namespace Evernet.Sim.Running;

/// <summary>Everything measured in one seed's run.</summary>
public sealed class SeedResult
{
    public ulong Seed { get; init; }
    public string TraceHash { get; set; } = "";
    public long TraceRecords { get; set; }
    public bool WarmupConverged { get; set; }
    public double WarmupMs { get; set; }
    public bool Converged { get; set; }
    public string ConvergenceDetail { get; set; } = "";
    public List<double> FailoverMs { get; } = new();
    public int FailoverUndetected { get; set; }
    public List<double> ObserverDetectionMs { get; } = new();
    public List<double> RecoveryMs { get; } = new();
    public List<double> DisseminationMs { get; set; } = new();
    public long DisseminationExpected { get; set; }
    public long FalseDead { get; set; }
    public long FalseSuspect { get; set; }
    public long FalseUnusable { get; set; }
    public long SuspectEvents { get; set; }
    public long DeadEvents { get; set; }
    public long UnusableEvents { get; set; }
    public double[] BytesPerNodePerS { get; set; } = [];
    public long[] Rejections { get; set; } = [];
    public SortedDictionary<string, double> Extras { get; } = new(StringComparer.Ordinal);
    public List<string> Examples { get; } = new();
    public long DatagramsSent { get; set; }
    public long DatagramsDelivered { get; set; }
    public long[] Drops { get; set; } = [];
    public long EventsProcessed { get; set; }
    public long TimeoutSpins { get; set; }
    public double VirtualSeconds { get; set; }
    public double MeasuredSeconds { get; set; }
    public double WallSeconds { get; set; }
    public TopologyStats? Topology { get; set; }
    /// <summary>What the traffic model measured (traffic scenarios only).</summary>
    public Traffic.TrafficResult? Traffic { get; set; }
}
