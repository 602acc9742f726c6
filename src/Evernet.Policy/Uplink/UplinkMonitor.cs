using System.Collections.Immutable;
using Evernet.Gossip.Records;

namespace Evernet.Policy;

/// <summary>
/// Per-target sliding windows of probe results (last <see cref="UplinkMonitorOptions.WindowSize"/> results, none older
/// than <see cref="UplinkMonitorOptions.WindowMs"/>) giving loss, mean RTT and jitter, and each target's verdict.
/// Jitter is the mean absolute difference of consecutive RTTs in the window: the quantity RFC 3550's interarrival jitter
/// estimates, averaged over the window instead of smoothed with gain 1/16, so it forgets an old spike when the window does.
/// Sans-IO: the host records results as probes complete; not thread-safe (one event loop owns it).
/// </summary>
public sealed class UplinkMonitor
{
    private readonly UplinkMonitorOptions _options;
    private readonly TargetWindow[] _windows;
    private readonly Dictionary<string, TargetWindow> _byName;

    public UplinkMonitor(UplinkMonitorOptions options)
    {
        options.ThrowIfInvalid();
        _options = options;
        Targets = [.. options.ParseTargets()];
        _windows = [.. Targets.Select(t => new TargetWindow(t))];
        _byName = _windows.ToDictionary(w => w.Target.Name, StringComparer.Ordinal);
    }

    public ImmutableArray<ProbeTarget> Targets { get; }

    /// <summary>Results for unknown target names (a driver bug or a stale config), which are dropped.</summary>
    public long UnknownTargetResults { get; private set; }

    /// <summary>Records one completed probe. False (and counted) for a target that is not configured.</summary>
    public bool Record(string targetName, long nowUnixMs, ProbeResult result)
    {
        if (!_byName.TryGetValue(targetName, out var window))
        {
            UnknownTargetResults++;
            return false;
        }
        window.Add(nowUnixMs, result, _options);
        return true;
    }

    public ImmutableArray<TargetHealth> Health(long nowUnixMs)
    {
        var builder = ImmutableArray.CreateBuilder<TargetHealth>(_windows.Length);
        foreach (var window in _windows) builder.Add(window.Health(nowUnixMs, _options));
        return builder.MoveToImmutable();
    }

    /// <summary>The per-target statistics a gateway signs into its summary.</summary>
    public ImmutableArray<ProbeTargetStats> Stats(long nowUnixMs) => [.. Health(nowUnixMs).Select(h => h.Stats)];

    private sealed class TargetWindow(ProbeTarget target)
    {
        private readonly Queue<(long At, bool Success, long RttMicros)> _results = new();
        private int _consecutiveFailures;
        private long? _goodSince;
        private long? _lastResult;

        public ProbeTarget Target { get; } = target;

        public void Add(long nowUnixMs, ProbeResult result, UplinkMonitorOptions options)
        {
            // Probes overlap, so completions can be reported slightly out of order; time must not run backwards in the window.
            long at = _lastResult is long last && nowUnixMs < last ? last : nowUnixMs;
            _lastResult = at;
            _results.Enqueue((at, result.Success, Math.Max(0, result.RttMicros)));
            if (result.Success)
            {
                _consecutiveFailures = 0;
                _goodSince ??= at;
            }
            else
            {
                _consecutiveFailures++;
                _goodSince = null;
            }
            Trim(at, options);
        }

        private void Trim(long nowUnixMs, UplinkMonitorOptions options)
        {
            while (_results.Count > options.WindowSize) _results.Dequeue();
            while (_results.Count > 0 && _results.Peek().At <= nowUnixMs - options.WindowMs) _results.Dequeue();
        }

        public TargetHealth Health(long nowUnixMs, UplinkMonitorOptions options)
        {
            int samples = 0, failures = 0, successes = 0;
            long rttSum = 0, jitterSum = 0, previousRtt = -1;
            int jitterPairs = 0;
            foreach (var (at, success, rtt) in _results)
            {
                if (at <= nowUnixMs - options.WindowMs) continue;
                samples++;
                if (!success) { failures++; continue; }
                successes++;
                rttSum += rtt;
                if (previousRtt >= 0) { jitterSum += Math.Abs(rtt - previousRtt); jitterPairs++; }
                previousRtt = rtt;
            }
            ushort lossPermille = samples == 0 ? (ushort)0 : (ushort)Math.Round(1000.0 * failures / samples);
            uint meanRtt = successes == 0 ? 0 : (uint)Math.Min(uint.MaxValue, rttSum / successes);
            uint jitter = jitterPairs == 0 ? 0 : (uint)Math.Min(uint.MaxValue, jitterSum / jitterPairs);
            var stats = new ProbeTargetStats(Target.Name, lossPermille, meanRtt, jitter);

            TargetVerdict verdict;
            if (_lastResult is null) verdict = TargetVerdict.Unknown;
            else if (_consecutiveFailures >= options.FastDownMisses || nowUnixMs - _lastResult.Value >= options.StaleAfterMs) verdict = TargetVerdict.Down;
            else if (samples >= options.MinSamplesForDegraded
                     && (SettledLossPermille(samples, failures) >= options.DegradedLossPermille
                         || meanRtt >= options.DegradedRttMs * 1000L
                         || jitter >= options.DegradedJitterMs * 1000L)) verdict = TargetVerdict.Degraded;
            else verdict = TargetVerdict.Up;

            return new TargetHealth(Target, stats, samples, _consecutiveFailures, _goodSince, _lastResult, verdict);
        }

        /// <summary>
        /// Loss without the trailing run of misses: that run is still being judged by the fast-down rule, and counting it
        /// here would report a dying line as Degraded a probe before it is Down (two urgent summaries instead of one).
        /// </summary>
        private int SettledLossPermille(int samples, int failures)
        {
            int pending = Math.Min(_consecutiveFailures, failures);
            int settled = samples - pending;
            return settled <= 0 ? 0 : (int)Math.Round(1000.0 * (failures - pending) / settled);
        }
    }
}
