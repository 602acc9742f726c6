using System.Threading.Channels;
using Evernet.Daemon.Transport;
using Evernet.Control.Mapping;
using Evernet.Gossip;
using Evernet.Gossip.Records;
using Evernet.Gossip.Runtime;
using Evernet.Gossip.View;
using Evernet.Policy;
using Microsoft.Extensions.Logging;

namespace Evernet.Daemon.Host;

/// <summary>
/// The one event loop that owns the sans-IO core and the policy engine. Everything else (the UDP receiver, discovery,
/// probe drivers, the control socket) posts work to it; it drives the core's timers, sends what the core wants sent,
/// turns gossip events into log lines, control events and metrics, and hands the dataplane a new desired state when
/// the plan changes. A gateway becoming unusable re-plans at once (the fast path); other changes at most every
/// <see cref="PolicyInterval"/>.
/// </summary>
public sealed partial class DaemonLoop
{
    public static readonly TimeSpan PolicyInterval = TimeSpan.FromSeconds(1);
    /// <summary>
    /// After a (re)start the view is not settled yet (no probe answers, maybe no summaries): whatever a previous run
    /// installed keeps serving until then, so a daemon restart does not blackhole its clients.
    /// </summary>
    public static readonly TimeSpan StartupSettle = TimeSpan.FromSeconds(2);
    private long _startTicks;
    private static readonly TimeSpan MinReplanSpacing = TimeSpan.FromMilliseconds(100);

    private readonly Channel<Action> _work = Channel.CreateUnbounded<Action>(new UnboundedChannelOptions { SingleReader = true });
    // The loop blocks on this between deadlines; Post and arriving datagrams set it. No spinning: an idle router
    // should sleep, not burn its one slow core (docs/performance.md, "Idle memory and CPU").
    private readonly ManualResetEventSlim _wake = new(false, spinCount: 0);
    private ChannelReader<ReceivedDatagram>? _datagrams;
    private readonly GossipNode _node;
    private readonly PolicyEngine _policy;
    private readonly GatewayHealthPublisher? _gateway;
    private readonly TimeProvider _time;
    private readonly Action<Transmit> _send;
    private readonly Action<DesiredDataplane> _applyDataplane;
    private readonly ILogger _logger;
    private DesiredDataplane? _lastSubmitted;
    private long _lastPlanTicks = long.MinValue / 2;
    private bool _replanNow;
    private bool _replanSoon;

    public DaemonLoop(GossipNode node, PolicyEngine policy, GatewayHealthPublisher? gateway, TimeProvider time,
        Action<Transmit> send, Action<DesiredDataplane> applyDataplane, EventLog events, ILogger logger)
    {
        _node = node;
        _policy = policy;
        _gateway = gateway;
        _time = time;
        _send = send;
        _applyDataplane = applyDataplane;
        Events = events;
        _logger = logger;
    }

    public EventLog Events { get; }
    public MeshView? LastView { get; private set; }
    public DataplanePlan? LastPlan { get; private set; }
    public GossipNode Node => _node;
    public PolicyEngine Policy => _policy;
    public GatewayHealthPublisher? Gateway => _gateway;
    public long Iterations { get; private set; }
    public long PlanFailures { get; private set; }
    /// <summary>Set by the loop each iteration; the watchdog only pets systemd while the loop is alive.</summary>
    public long LastIterationTicks { get; private set; }

    /// <summary>Runs <paramref name="action"/> on the loop. Thread-safe.</summary>
    public void Post(Action action)
    {
        if (_work.Writer.TryWrite(action)) _wake.Set();
    }

    /// <summary>Datagrams the loop hands to the core itself (bounded and drop-oldest upstream, so a flood cannot grow
    /// the work queue). Call <see cref="Wake"/> after writing one. Set before <see cref="RunAsync"/>.</summary>
    public void AttachDatagrams(ChannelReader<ReceivedDatagram> datagrams) => _datagrams = datagrams;

    /// <summary>Thread-safe: makes the loop look at its inputs now.</summary>
    public void Wake() => _wake.Set();

    /// <summary>Runs <paramref name="func"/> on the loop and returns its result. Thread-safe.</summary>
    public Task<T> InvokeAsync<T>(Func<T> func)
    {
        var done = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        if (_work.Writer.TryWrite(() =>
        {
            try { done.SetResult(func()); }
            catch (Exception e) { done.SetException(e); }
        }))
            _wake.Set();
        else
            done.SetException(new InvalidOperationException("the daemon loop has stopped"));
        return done.Task;
    }

    /// <summary>
    /// Runs the loop on its own thread until <paramref name="cancellationToken"/> fires. A dedicated thread with a
    /// blocking wait, not thread-pool continuations: every hop through the pool woke a worker that then spun before
    /// sleeping, which was most of the idle daemon's CPU.
    /// </summary>
    public Task RunAsync(CancellationToken cancellationToken)
    {
        var finished = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var thread = new Thread(() =>
        {
            try
            {
                Run(cancellationToken);
                finished.SetResult();
            }
            catch (Exception e)
            {
                finished.SetException(e);
            }
        })
        {
            IsBackground = true,
            Name = "evernet loop",
        };
        thread.Start();
        return finished.Task;
    }

    private void Run(CancellationToken cancellationToken)
    {
        _startTicks = _time.GetUtcNow().UtcTicks;
        _node.Start();
        Drain();
        Replan();
        var reader = _work.Reader;
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                _wake.Reset();
                var now = _time.GetUtcNow();
                var delay = NextDeadline(now) - now;
                if (delay > TimeSpan.Zero && !reader.TryPeek(out _) && _datagrams?.TryPeek(out _) != true)
                {
                    // Rounded up: a wait for a fraction of a millisecond is a wait of 0 ms, and the loop would spin
                    // until the deadline (that spinning was most of the idle daemon's CPU).
                    _wake.Wait((int)Math.Min(Math.Ceiling(delay.TotalMilliseconds), int.MaxValue), cancellationToken);
                }
                Iterate();
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        finally
        {
            _work.Writer.TryComplete();
            // Answer whoever still waits on the loop, so control clients get an error instead of hanging.
            while (reader.TryRead(out var action)) action();
        }
    }

    private DateTimeOffset NextDeadline(DateTimeOffset now)
    {
        var next = now + PolicyInterval;
        if (_node.NextTimeout is { } t && t < next) next = t;
        if (_gateway is not null)
        {
            var poll = DateTimeOffset.FromUnixTimeMilliseconds(_gateway.NextPollUnixMs(now.ToUnixTimeMilliseconds()));
            if (poll < next) next = poll;
        }
        if (_replanNow || _replanSoon)
        {
            var soon = new DateTimeOffset(_lastPlanTicks, TimeSpan.Zero) + (_replanNow ? TimeSpan.Zero : MinReplanSpacing);
            if (soon < next) next = soon;
        }
        return next;
    }

    /// <summary>One pass: queued work, due timers, the gateway's health publication, planning, output.</summary>
    public void Iterate()
    {
        Iterations++;
        LastIterationTicks = _time.GetUtcNow().UtcTicks;
        int budget = 10_000; // never starve timers behind a flood of datagrams
        while (budget-- > 0 && _work.Reader.TryRead(out var action))
        {
            try { action(); }
            catch (Exception e) { LogWorkFailed(_logger, e); }
        }
        budget = 10_000;
        while (_datagrams is not null && budget-- > 0 && _datagrams.TryRead(out var datagram))
        {
            try { _node.HandleDatagram(datagram.From, datagram.Payload); }
            catch (Exception e) { LogWorkFailed(_logger, e); }
            finally { datagram.Release(); }
        }
        var now = _time.GetUtcNow();
        if (_node.NextTimeout is { } t && t <= now) _node.HandleTimeout();
        if (_gateway is not null && _gateway.Poll(now.ToUnixTimeMilliseconds()) is { } publication)
        {
            _node.PublishGatewaySummary(publication.Report);
            if (publication.Urgent) LogUplinkPublished(_logger, publication.Report.Uplink, publication.Reason);
        }
        Drain();
        long ticks = now.UtcTicks;
        if (_replanNow || ticks - _lastPlanTicks >= PolicyInterval.Ticks || (_replanSoon && ticks - _lastPlanTicks >= MinReplanSpacing.Ticks))
            Replan();
    }

    /// <summary>Sends what the core wants sent and digests its events.</summary>
    private void Drain()
    {
        while (_node.TryPollTransmit(out var transmit)) _send(transmit);
        while (_node.TryPollEvent(out var e))
        {
            if (e is null) continue;
            Events.Add(ControlMapper.ToEvent(e, NameOf));
            switch (e)
            {
                case GatewayUsabilityChanged u:
                    _replanNow = true; // the fast path: steer away now
                    if (u.Usable) LogGatewayUsable(_logger, u.Name);
                    else LogGatewayUnusable(_logger, u.Name, u.Reason);
                    break;
                case MemberStateChanged m:
                    _replanSoon = true;
                    LogMemberState(_logger, m.Name, m.Previous?.ToString() ?? "new", m.Current);
                    break;
                case SummaryAccepted or RevocationAccepted:
                    _replanSoon = true;
                    break;
                case Rejected r:
                    LogRejected(_logger, r.Reason, r.Detail);
                    break;
            }
        }
    }

    private string? NameOf(Gossip.Identity.NodeId id) =>
        LastView?.Members.FirstOrDefault(m => m.Id == id)?.Name;

    private void Replan()
    {
        _replanNow = false;
        _replanSoon = false;
        var now = _time.GetUtcNow();
        _lastPlanTicks = now.UtcTicks;
        var view = _node.Snapshot();
        LastView = view;
        DataplanePlan plan;
        try
        {
            plan = _policy.Update(view, now.ToUnixTimeMilliseconds());
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // A planning bug must not take the mesh down: keep the installed dataplane, report, retry next tick.
            PlanFailures++;
            LogPlanFailed(_logger, e);
            return;
        }
        var previousWeights = LastPlan?.Weights;
        LastPlan = plan;
        if (plan.Weights is { Changed: true } weights && previousWeights is not null)
            Events.Add(ControlMapper.Event(now.ToUnixTimeMilliseconds(), "weights", "route", string.Join(", ", weights.Gateways.Select(g => $"{g.Name}={g.Weight}"))));
        if (now.UtcTicks - _startTicks < StartupSettle.Ticks)
        {
            _replanSoon = true; // plan again (and submit) once settled
            return;
        }
        if (_lastSubmitted is null || !_lastSubmitted.Equals(plan.Dataplane))
        {
            _lastSubmitted = plan.Dataplane;
            _applyDataplane(plan.Dataplane);
        }
    }

    /// <summary>Forces a plan on the next iteration (certificate reload, drain).</summary>
    public void RequestReplan() => _replanNow = true;

    [LoggerMessage(Level = LogLevel.Error, Message = "planning failed; the installed dataplane stays as it is")]
    private static partial void LogPlanFailed(ILogger logger, Exception e);

    [LoggerMessage(Level = LogLevel.Error, Message = "work item on the daemon loop failed")]
    private static partial void LogWorkFailed(ILogger logger, Exception e);

    [LoggerMessage(Level = LogLevel.Warning, Message = "gateway {Gateway} is unusable: {Reason}")]
    private static partial void LogGatewayUnusable(ILogger logger, string gateway, UsabilityReason reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "gateway {Gateway} is usable")]
    private static partial void LogGatewayUsable(ILogger logger, string gateway);

    [LoggerMessage(Level = LogLevel.Information, Message = "member {Member}: {Previous} -> {Current}")]
    private static partial void LogMemberState(ILogger logger, string member, string previous, MemberState current);

    [LoggerMessage(Level = LogLevel.Debug, Message = "rejected {Reason}: {Detail}")]
    private static partial void LogRejected(ILogger logger, RejectReason reason, string detail);

    [LoggerMessage(Level = LogLevel.Warning, Message = "uplink is {Uplink}: {Reason}; published an urgent summary")]
    private static partial void LogUplinkPublished(ILogger logger, UplinkState uplink, string reason);
}
