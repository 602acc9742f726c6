using Evernet.Control.Dtos;

namespace Evernet.Daemon.Web;

/// <summary>
/// The last <see cref="WebAdminOptions.HistoryWindow"/> of gateway samples, a ring per gateway, fed by <see cref="GatewaySampler"/>.
/// Times are the daemon's snapshot times, so the window is measured on the daemon's clock. Thread-safe.
/// </summary>
public sealed class GatewayHistory
{
    /// <summary>Upper bound of one gateway's ring (an hour at one sample per second).</summary>
    public const int MaxSamplesPerGateway = 3600;

    /// <summary>Gateways beyond this many are not tracked: bounds memory whatever the mesh announces.</summary>
    public const int MaxGateways = 64;

    private readonly Lock _lock = new();
    private readonly Dictionary<string, Ring> _rings = new(StringComparer.Ordinal);
    private readonly int _capacity;
    private readonly long _windowMs;
    private readonly TimeSpan _interval;
    private long _version;
    private long _latestAtUnixMs;

    public GatewayHistory(TimeSpan interval, TimeSpan window)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(interval, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThan(window, interval);
        _interval = interval;
        _windowMs = (long)window.TotalMilliseconds;
        _capacity = (int)Math.Min(MaxSamplesPerGateway, Math.Ceiling(window / interval) + 1);
    }

    public long Version
    {
        get
        {
            lock (_lock) return _version;
        }
    }

    public void Record(GatewaysData data)
    {
        ArgumentNullException.ThrowIfNull(data);
        lock (_lock)
        {
            foreach (var gateway in data.Gateways)
            {
                if (!_rings.TryGetValue(gateway.NodeId, out var ring))
                {
                    if (_rings.Count >= MaxGateways) continue;
                    ring = new Ring(_capacity);
                    _rings[gateway.NodeId] = ring;
                }
                ring.Name = gateway.Name;
                ring.Add(Sample.Of(data.AtUnixMs, gateway));
            }
            _latestAtUnixMs = Math.Max(_latestAtUnixMs, data.AtUnixMs);
            long oldest = _latestAtUnixMs - _windowMs;
            foreach (var (key, ring) in _rings.ToList())
            {
                ring.DropBefore(oldest);
                if (ring.Count == 0) _rings.Remove(key);
            }
            _version++;
        }
    }

    public GatewayHistoryData Snapshot()
    {
        lock (_lock)
        {
            var series = _rings
                .Select(pair => pair.Value.ToSeries(pair.Key))
                .OrderBy(s => s.Name, StringComparer.Ordinal)
                .ThenBy(s => s.NodeId, StringComparer.Ordinal)
                .ToList();
            return new GatewayHistoryData(_latestAtUnixMs, _interval.TotalSeconds, _windowMs / 1000.0, _version, series);
        }
    }

    /// <summary>Only the charted fields: a whole <see cref="GatewayStatus"/> per sample would cost several times the memory.</summary>
    private readonly record struct Sample(
        long AtUnixMs, string? Uplink, double? UplinkLoss, double? UplinkRtt, double? PathLoss, double? PathRtt, double? Load, double Share, bool Usable)
    {
        public static Sample Of(long atUnixMs, GatewayStatus g) =>
            new(atUnixMs, g.Uplink, g.UplinkLossPercent, g.UplinkRttMs, g.PathLossPercent, g.PathRttMs, g.LoadPercent, g.SharePercent, g.Usable);
    }

    private sealed class Ring(int capacity)
    {
        private readonly Sample[] _samples = new Sample[capacity];
        private int _start;

        public string Name { get; set; } = "";
        public int Count { get; private set; }

        public void Add(Sample sample)
        {
            // A daemon clock that stepped back would make the series non-monotonic: start over rather than draw loops.
            if (Count > 0 && sample.AtUnixMs < At(Count - 1).AtUnixMs) Count = 0;
            if (Count == _samples.Length)
            {
                _start = (_start + 1) % _samples.Length;
                Count--;
            }
            _samples[(_start + Count) % _samples.Length] = sample;
            Count++;
        }

        public void DropBefore(long unixMs)
        {
            while (Count > 0 && At(0).AtUnixMs < unixMs)
            {
                _start = (_start + 1) % _samples.Length;
                Count--;
            }
        }

        public GatewaySeries ToSeries(string nodeId)
        {
            var samples = new Sample[Count];
            for (int i = 0; i < Count; i++) samples[i] = At(i);
            return new GatewaySeries(
                Name,
                nodeId,
                [.. samples.Select(s => s.AtUnixMs)],
                [.. samples.Select(s => s.Uplink)],
                [.. samples.Select(s => s.UplinkLoss)],
                [.. samples.Select(s => s.UplinkRtt)],
                [.. samples.Select(s => s.PathLoss)],
                [.. samples.Select(s => s.PathRtt)],
                [.. samples.Select(s => s.Load)],
                [.. samples.Select(s => s.Share)],
                [.. samples.Select(s => s.Usable)]);
        }

        private Sample At(int index) => _samples[(_start + index) % _samples.Length];
    }
}
