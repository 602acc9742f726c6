namespace Evernet.GapProbe;

/// <summary>
/// Result of the UDP gap probe. Times are milliseconds since the probe started unless named *Utc. ArmedAtMs: when the
/// arm file appeared (the fault); FailoverGapMs: the longest silence between consecutive replies that ended after it
/// (null if not armed, or no reply came after it); SourceAtArm: the NAT source of the last reply before it (the
/// gateway in use when the fault struck).
/// </summary>
public sealed record GapReport(
    string Target,
    double IntervalMs,
    DateTimeOffset StartedUtc,
    double DurationMs,
    long Sent,
    long SendErrors,
    long Received,
    long Lost,
    double? FirstReplyMs,
    double? LastReplyMs,
    double? LongestGapMs,
    double? LongestGapStartMs,
    double? ArmedAtMs,
    double? FailoverGapMs,
    string? SourceAtArm,
    double TrailingGapMs,
    bool Recovered,
    double GapThresholdMs,
    IReadOnlyList<Gap> Gaps,
    IReadOnlyList<SourceSpan> Sources,
    IReadOnlyList<SourceChange> SourceChanges,
    double? RttMedianMs,
    double? RttMaxMs);

/// <summary>A silence between two consecutive replies longer than the threshold.</summary>
public sealed record Gap(double StartMs, double EndMs, double DurationMs, DateTimeOffset StartUtc, string? SourceBefore, string? SourceAfter);

/// <summary>Replies that came back from one observed (NAT) source address, i.e. through one gateway.</summary>
public sealed record SourceSpan(string Source, long Replies, double FirstMs, double LastMs);

public sealed record SourceChange(double AtMs, DateTimeOffset AtUtc, string? From, string To);

/// <summary>Result of the convergence waiter.</summary>
public sealed record WaitReport(bool Ok, string Target, double ElapsedMs, long Sent, long Received, string? Source);

/// <summary>Result of the long-lived TCP flow checker.</summary>
public sealed record FlowsReport(
    string Target,
    int Count,
    double IntervalMs,
    double StallThresholdMs,
    DateTimeOffset StartedUtc,
    double DurationMs,
    int Survived,
    int Broken,
    int Stalled,
    double LongestStallMs,
    bool AllSurvived,
    IReadOnlyList<FlowResult> Flows);

public sealed record FlowResult(
    int Flow,
    bool Connected,
    double? ConnectMs,
    long Exchanges,
    double LongestRoundTripMs,
    int Stalls,
    string? Failure,
    double? FailureAtMs,
    IReadOnlyList<string> Sources);
