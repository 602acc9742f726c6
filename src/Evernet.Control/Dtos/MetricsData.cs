namespace Evernet.Control.Dtos;

/// <summary>Answer to "metrics": the Prometheus text exposition (format 0.0.4), the same as the HTTP endpoint serves.</summary>
public sealed record MetricsData(string Text);
