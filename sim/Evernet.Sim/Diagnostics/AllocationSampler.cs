using System.Diagnostics.Tracing;

namespace Evernet.Sim.Diagnostics;

/// <summary>
/// Samples the runtime's allocation ticks (one per ~100 kB allocated) by type, so a run can name what it allocates
/// without an external profiler. Enabled with EVERNET_SIM_ALLOCATIONS=1; the table goes to stderr at the end.
/// </summary>
internal sealed class AllocationSampler : EventListener
{
    private const EventKeywords GcKeyword = (EventKeywords)0x1;
    private readonly Dictionary<string, long> _bytesByType = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();

    protected override void OnEventSourceCreated(EventSource source)
    {
        if (source.Name == "Microsoft-Windows-DotNETRuntime")
            EnableEvents(source, EventLevel.Verbose, GcKeyword);
    }

    protected override void OnEventWritten(EventWrittenEventArgs e)
    {
        if (e.EventName is not { } name || !name.StartsWith("GCAllocationTick", StringComparison.Ordinal) || e.Payload is null || e.PayloadNames is null)
            return;
        string type = "?";
        long amount = 0;
        for (int i = 0; i < e.PayloadNames.Count; i++)
        {
            switch (e.PayloadNames[i])
            {
                case "TypeName": type = e.Payload[i] as string ?? "?"; break;
                case "AllocationAmount64": amount = Convert.ToInt64(e.Payload[i], System.Globalization.CultureInfo.InvariantCulture); break;
            }
        }
        lock (_gate)
            _bytesByType[type] = _bytesByType.GetValueOrDefault(type) + amount;
    }

    public void Print(TextWriter to, int top = 25)
    {
        KeyValuePair<string, long>[] rows;
        lock (_gate) rows = [.. _bytesByType.OrderByDescending(kv => kv.Value).Take(top)];
        long total;
        lock (_gate) total = _bytesByType.Values.Sum();
        to.WriteLine($"allocation samples: {total / 1e6:0} MB sampled");
        foreach (var (type, bytes) in rows)
            to.WriteLine($"  {bytes * 100.0 / Math.Max(1, total),5:0.0} %  {bytes / 1e6,9:0} MB  {type}");
    }
}
