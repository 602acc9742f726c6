using System.Text.Json;
using System.Threading.Channels;
using Evernet.Control.Dtos;
using Microsoft.Extensions.Logging;

namespace Evernet.Daemon.Web;

/// <summary>
/// Builds a <see cref="LiveSnapshot"/> every <see cref="WebAdminOptions.LiveInterval"/> while at least one page listens, and hands
/// the same serialized bytes to every listener. A slow listener only ever holds the newest snapshot (older ones are dropped),
/// so a stalled phone cannot grow the daemon's memory. Nothing is asked of the daemon while no page is open.
/// </summary>
public sealed class LiveFeed
{
    /// <summary>How many of the newest events a snapshot carries.</summary>
    public const int SnapshotEvents = 200;

    private readonly ControlCalls _calls;
    private readonly GatewayHistory _history;
    private readonly TimeSpan _interval;
    private readonly int _maxListeners;
    private readonly ILogger _logger;
    private readonly Lock _lock = new();
    private readonly List<Channel<byte[]>> _listeners = [];
    private readonly SemaphoreSlim _wake = new(0);
    private long _sequence;
    private bool _closed;

    public LiveFeed(ControlCalls calls, GatewayHistory history, TimeSpan interval, int maxListeners, ILogger logger)
    {
        _calls = calls;
        _history = history;
        _interval = interval;
        _maxListeners = maxListeners;
        _logger = logger;
    }

    public int ListenerCount
    {
        get
        {
            lock (_lock) return _listeners.Count;
        }
    }

    /// <summary>A new listener, or null when <see cref="WebAdminOptions.MaxLiveClients"/> are already listening or the feed stopped.</summary>
    public LiveListener? Listen()
    {
        var channel = Channel.CreateBounded<byte[]>(new BoundedChannelOptions(1)
        {
            FullMode = BoundedChannelFullMode.DropOldest,
            SingleReader = true,
            SingleWriter = true,
        });
        lock (_lock)
        {
            if (_closed || _listeners.Count >= _maxListeners) return null;
            _listeners.Add(channel);
        }
        _wake.Release();
        return new LiveListener(channel.Reader, () => Remove(channel));
    }

    public async Task<LiveSnapshot> BuildAsync(CancellationToken cancellationToken)
    {
        var status = _calls.CallAsync<StatusData>("status", (h, ct) => h.GetStatusAsync(ct), cancellationToken);
        var members = _calls.CallAsync<MembersData>("members", (h, ct) => h.GetMembersAsync(ct), cancellationToken);
        var routes = _calls.CallAsync<RoutesData>("routes", (h, ct) => h.GetRoutesAsync(ct), cancellationToken);
        var events = _calls.CallAsync<EventsData>("events", (h, ct) => h.GetEventsAsync(new EventsArgs(SnapshotEvents), ct), cancellationToken);
        await Task.WhenAll(status, members, routes, events).ConfigureAwait(false);
        var errors = new List<string>();
        foreach (string? error in new[] { status.Result.Error, members.Result.Error, routes.Result.Error, events.Result.Error })
            if (error is not null) errors.Add(error);
        return new LiveSnapshot(
            Interlocked.Increment(ref _sequence),
            status.Result.Value,
            members.Result.Value,
            routes.Result.Value,
            events.Result.Value,
            _history.Version,
            errors);
    }

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                if (ListenerCount == 0)
                {
                    await _wake.WaitAsync(cancellationToken).ConfigureAwait(false);
                    continue;
                }
                var snapshot = await BuildAsync(cancellationToken).ConfigureAwait(false);
                byte[] payload = JsonSerializer.SerializeToUtf8Bytes(snapshot, WebJsonContext.Default.LiveSnapshot);
                Channel<byte[]>[] listeners;
                lock (_lock) listeners = [.. _listeners];
                foreach (var listener in listeners) listener.Writer.TryWrite(payload);
                // A new listener wakes the loop early so its page fills at once; otherwise wait out the interval.
                await _wake.WaitAsync(_interval, cancellationToken).ConfigureAwait(false);
                while (_wake.Wait(0)) { }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        catch (Exception ex)
        {
            WebAdminLog.BackgroundFailed(_logger, "live feed", ex);
        }
        finally
        {
            Close();
        }
    }

    /// <summary>Ends every listener's stream (their requests complete) and refuses new ones.</summary>
    public void Close()
    {
        lock (_lock)
        {
            _closed = true;
            foreach (var listener in _listeners) listener.Writer.TryComplete();
            _listeners.Clear();
        }
    }

    private void Remove(Channel<byte[]> channel)
    {
        lock (_lock) _listeners.Remove(channel);
        channel.Writer.TryComplete();
    }
}

/// <summary>One open page's stream of serialized snapshots. Dispose when the page goes away.</summary>
public sealed class LiveListener(ChannelReader<byte[]> reader, Action remove) : IDisposable
{
    public ChannelReader<byte[]> Reader => reader;

    public void Dispose() => remove();
}
