namespace Evernet.Policy;

/// <summary>Everything the node-side policy engine and the planner read. Validate once at start-up.</summary>
public sealed class PolicyOptions
{
    public WeightOptions Weights { get; set; } = new();
    public PathQualityOptions PathQuality { get; set; } = new();
    public WireGuardOptions WireGuard { get; set; } = new();
    public TunnelAddressingOptions Tunnel { get; set; } = new();
    public RoutingOptions Routing { get; set; } = new();
    public List<TrafficClassOptions> TrafficClasses { get; set; } = [];

    /// <summary>The class's effective (mark, table, rule priority): configured, or derived from its position.</summary>
    public (uint Mark, int Table, int RulePriority) ClassIds(int index)
    {
        var c = TrafficClasses[index];
        return (
            c.FirewallMark != 0 ? c.FirewallMark : Routing.ClassMarkBase + (uint)index + 1,
            c.Table != 0 ? c.Table : Routing.ClassTableBase + index,
            c.RulePriority != 0 ? c.RulePriority : Routing.ClassRulePriorityBase + index);
    }

    public IReadOnlyList<string> Validate()
    {
        var e = new OptionErrors();
        Nested(nameof(Weights), Weights, w => w.Validate());
        Nested(nameof(PathQuality), PathQuality, p => p.Validate());
        Nested(nameof(WireGuard), WireGuard, w => w.Validate());
        Nested(nameof(Tunnel), Tunnel, t => t.Validate());
        Nested(nameof(Routing), Routing, r => r.Validate());
        if (TrafficClasses is null)
        {
            e.Add(nameof(TrafficClasses), "must be a list (may be empty)");
            return e.Errors;
        }
        e.Check(TrafficClasses.Count <= 32, nameof(TrafficClasses), "at most 32 classes");
        for (int i = 0; i < TrafficClasses.Count; i++)
        {
            if (TrafficClasses[i] is null) { e.Add($"{nameof(TrafficClasses)}:{i}", "is empty"); continue; }
            e.AddNested($"{nameof(TrafficClasses)}:{i}", TrafficClasses[i].Validate());
        }
        if (TrafficClasses.Any(c => c is null) || Routing is null) return e.Errors;
        var names = new HashSet<string>(StringComparer.Ordinal);
        var marks = new HashSet<uint>();
        var tables = new HashSet<int> { Routing.Table };
        var priorities = new HashSet<int> { Routing.RulePriority };
        for (int i = 0; i < TrafficClasses.Count; i++)
        {
            var (mark, table, priority) = ClassIds(i);
            string key = $"{nameof(TrafficClasses)}:{i}";
            e.Check(names.Add(TrafficClasses[i].Name ?? ""), $"{key}:Name", $"'{TrafficClasses[i].Name}' is used by two classes");
            e.Check(marks.Add(mark), $"{key}:FirewallMark", $"0x{mark:x} is used by two classes");
            e.Check(tables.Add(table), $"{key}:Table", $"table {table} is used twice (classes and Routing:Table must differ)");
            e.Check(priorities.Add(priority), $"{key}:RulePriority", $"rule priority {priority} is used twice");
            e.Check(priority < Routing.RulePriority, $"{key}:RulePriority", "must come before Routing:RulePriority, or the class never matches");
        }
        return e.Errors;

        void Nested<T>(string key, T? value, Func<T, IReadOnlyList<string>> validate) where T : class
        {
            if (value is null) e.Add(key, "is required");
            else e.AddNested(key, validate(value));
        }
    }

    public void ThrowIfInvalid() => OptionErrors.ThrowIfAny("policy options", Validate());
}
