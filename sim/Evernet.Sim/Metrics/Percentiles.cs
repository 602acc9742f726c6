namespace Evernet.Sim.Metrics;

/// <summary>Summary of a sample: nearest-rank percentiles (no interpolation: every reported value was observed).</summary>
public sealed record Distribution(int Count, double P50, double P90, double P99, double Max, double Mean)
{
    public static readonly Distribution Empty = new(0, 0, 0, 0, 0, 0);

    public static Distribution Of(IReadOnlyCollection<double> values)
    {
        if (values.Count == 0) return Empty;
        var sorted = values.ToArray();
        Array.Sort(sorted);
        double sum = 0;
        foreach (var v in sorted) sum += v;
        return new Distribution(sorted.Length, Rank(sorted, 0.50), Rank(sorted, 0.90), Rank(sorted, 0.99), sorted[^1], sum / sorted.Length);
    }

    public static double Rank(double[] sorted, double p)
    {
        if (sorted.Length == 0) return 0;
        int rank = (int)Math.Ceiling(p * sorted.Length);
        return sorted[Math.Clamp(rank - 1, 0, sorted.Length - 1)];
    }
}
