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
    ];

    public static IEnumerable<string> Names => Entries.Select(e => e.Name);

    public static IEnumerable<Scenario> All => Entries.Select(e => e.Create());

    public static Scenario? Create(string name)
    {
        foreach (var e in Entries)
            if (string.Equals(e.Name, name, StringComparison.OrdinalIgnoreCase)) return e.Create();
        return null;
    }
}
