namespace Evernet.Sim.Scenarios;

/// <summary>All scenarios by name; <see cref="Create"/> gives a fresh instance per run.</summary>
public static class ScenarioCatalog
{
    private static readonly (string Name, Func<Scenario> Create)[] Entries =
    [
        ("uplink-outage", () => new UplinkOutageScenario()),
        ("gateway-crash", () => new GatewayCrashScenario()),
        ("lossy-steady", () => new LossySteadyScenario()),
        ("partition-heal", () => new PartitionHealScenario()),
        ("churn", () => new ChurnScenario()),
        ("forged-and-replayed", () => new ForgedAndReplayedScenario()),
        ("chaos", () => new ChaosScenario()),
        ("load-balance", () => new LoadBalanceScenario()),
        ("load-step", () => new LoadStepScenario()),
        ("uplink-flap", () => new UplinkFlapScenario(slow: false)),
        ("uplink-flap-slow", () => new UplinkFlapScenario(slow: true)),
        ("uplink-outage-traffic", () => new OutageWithTrafficScenario(new UplinkOutageScenario(), "outage")),
        ("gateway-crash-traffic", () => new OutageWithTrafficScenario(new GatewayCrashScenario(), "crash")),
    ];

    public static IEnumerable<string> Names => Entries.Select(e => e.Name);

    public static IEnumerable<Scenario> All => Entries.Select(e => e.Create());

    public static Scenario? Create(string name)
    {
        // Traffic scenarios take settings in the name: "load-step:Weights.ControllerTimeConstantMs=20000".
        int colon = name.IndexOf(':');
        if (colon > 0) return TrafficScenario.WithSettings(Create(name[..colon]), name[(colon + 1)..]);
        foreach (var e in Entries)
            if (string.Equals(e.Name, name, StringComparison.OrdinalIgnoreCase)) return e.Create();
        return null;
    }
}
