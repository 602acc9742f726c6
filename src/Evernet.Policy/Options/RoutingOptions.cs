namespace Evernet.Policy;

/// <summary>Kernel routing identifiers and the resilient nexthop group shape.</summary>
public sealed class RoutingOptions
{
    /// <summary>Table of the weighted multipath default route.</summary>
    public int Table { get; set; } = 4200;
    /// <summary>Priority of the rules sending the client prefixes' traffic to <see cref="Table"/>.</summary>
    public int RulePriority { get; set; } = 4200;
    /// <summary>
    /// Resilient nexthop group size: more buckets, finer weights; a weight change re-points only idle buckets. 4096
    /// (the most allowed here; the kernel takes up to 65535) because a bucket is idle only if no flow hashed to it for
    /// the idle timer: a household opening 15 flows a second keeps nearly all of 512 buckets busy for 120 s, so new
    /// weights could not take effect for minutes; with 4096 most buckets of even a busy node are idle at any moment.
    /// </summary>
    public int Buckets { get; set; } = 4096;
    /// <summary>A bucket idle this long may be re-pointed to follow new weights; busy buckets (active flows) stay.</summary>
    public int IdleTimerSeconds { get; set; } = 120;
    public int ClassTableBase { get; set; } = 4201;
    /// <summary>Class rules go before the default rule so a matching packet takes its class's table.</summary>
    public int ClassRulePriorityBase { get; set; } = 4100;
    public uint ClassMarkBase { get; set; } = 0x4200;

    public IReadOnlyList<string> Validate()
    {
        var e = new OptionErrors();
        e.Check(Table is >= 1 and < 0x7FFFFFFF && Table is not (253 or 254 or 255), nameof(Table), "must be a table id other than default/main/local (253..255)");
        e.Check(RulePriority is >= 1 and <= 32765, nameof(RulePriority), "must be 1..32765 (before the main table's rule at 32766)");
        e.Check(Buckets is >= 16 and <= 4096, nameof(Buckets), "must be 16..4096");
        e.Check(IdleTimerSeconds is >= 0 and <= 3600, nameof(IdleTimerSeconds), "must be 0..3600");
        e.Check(ClassTableBase is >= 1 and < 0x7FFF0000, nameof(ClassTableBase), "must be a positive table id");
        e.Check(ClassRulePriorityBase is >= 1 and <= 32700, nameof(ClassRulePriorityBase), "must be 1..32700");
        e.Check(ClassMarkBase is > 0 and < 0x7FFF0000, nameof(ClassMarkBase), "must be a positive mark");
        return e.Errors;
    }
}
