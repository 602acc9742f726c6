using Evernet.Control.Dtos;

namespace Evernet.Control.Mapping;

/// <summary>
/// The newest events for "events", bounded. Thread-safe: the daemon's loop adds, control connections read.
/// </summary>
public sealed class EventLog
{
    public const int DefaultCapacity = 1000;
    private readonly Lock _lock = new();
    private readonly EventEntry[] _ring;
    private int _next;
    private int _count;

    public EventLog(int capacity = DefaultCapacity)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(capacity);
        _ring = new EventEntry[capacity];
    }

    public int Capacity => _ring.Length;

    public void Add(EventEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        lock (_lock)
        {
            _ring[_next] = entry;
            _next = (_next + 1) % _ring.Length;
            if (_count < _ring.Length) _count++;
        }
    }

    /// <summary>Oldest first: the newest <see cref="EventsArgs.Limit"/> (default 100) after <see cref="EventsArgs.SinceUnixMs"/>.</summary>
    public EventsData Query(EventsArgs args)
    {
        ArgumentNullException.ThrowIfNull(args);
        int limit = Math.Clamp(args.Limit ?? 100, 0, _ring.Length);
        var selected = new List<EventEntry>(Math.Min(limit, _count));
        lock (_lock)
        {
            // Walk newest to oldest, then reverse: the limit keeps the newest.
            for (int i = 1; i <= _count && selected.Count < limit; i++)
            {
                var entry = _ring[(_next - i + _ring.Length) % _ring.Length];
                if (args.SinceUnixMs is { } since && entry.AtUnixMs <= since) continue;
                selected.Add(entry);
            }
        }
        selected.Reverse();
        return new EventsData(selected);
    }
}
