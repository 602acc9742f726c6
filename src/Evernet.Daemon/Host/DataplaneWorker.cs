using Evernet.Dataplane;
using Evernet.Policy;
using Microsoft.Extensions.Logging;

namespace Evernet.Daemon.Host;

/// <summary>
/// Applies desired dataplane states off the event loop, latest first: while one apply runs, newer submissions replace
/// each other and only the newest is applied next. Between applies it reconciles drift on an interval (someone
/// deleted a route or a peer: it comes back).
/// </summary>
public sealed partial class DataplaneWorker
{
    private readonly DataplaneApplier _applier;
    private readonly TimeSpan _reconcileInterval;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _signal = new(0, 1);
    private DesiredDataplane? _pending;
    private readonly object _gate = new();

    public DataplaneWorker(DataplaneApplier applier, TimeSpan reconcileInterval, ILogger logger)
    {
        _applier = applier;
        _reconcileInterval = reconcileInterval;
        _logger = logger;
    }

    public DataplaneStatus Status => _applier.Status;
    public DesiredDataplane? LastDesired => _applier.LastDesired;
    public DataplaneApplyResult? LastResult { get; private set; }
    /// <summary>Called after every apply (latency and errors go to the metrics).</summary>
    public event Action<DataplaneApplyResult>? Applied;

    public void Submit(DesiredDataplane desired)
    {
        lock (_gate) _pending = desired;
        if (_signal.CurrentCount == 0)
        {
            try { _signal.Release(); }
            catch (SemaphoreFullException) { }
        }
    }

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            bool signalled;
            try
            {
                signalled = await _signal.WaitAsync(_reconcileInterval, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            DesiredDataplane? next;
            lock (_gate)
            {
                next = _pending;
                _pending = null;
            }
            try
            {
                DataplaneApplyResult result;
                if (next is not null) result = await _applier.ApplyAsync(next, cancellationToken).ConfigureAwait(false);
                else if (!signalled && _applier.LastDesired is not null) result = await _applier.ReconcileAsync(cancellationToken).ConfigureAwait(false);
                else continue;
                LastResult = result;
                Applied?.Invoke(result);
                if (!result.Succeeded)
                    foreach (var error in result.Errors) LogApplyError(_logger, error.Kind.ToString(), error.Message);
                else if (result.Mutations > 0)
                    LogApplied(_logger, result.Mutations, result.Duration.TotalMilliseconds, next is null ? "reconcile" : "apply");
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                LogApplyCrash(_logger, e);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "dataplane {Mode}: {Mutations} changes in {Ms:0.0} ms")]
    private static partial void LogApplied(ILogger logger, int mutations, double ms, string mode);

    [LoggerMessage(Level = LogLevel.Error, Message = "dataplane error ({Kind}): {Message}")]
    private static partial void LogApplyError(ILogger logger, string kind, string message);

    [LoggerMessage(Level = LogLevel.Error, Message = "dataplane apply failed unexpectedly; the daemon keeps running")]
    private static partial void LogApplyCrash(ILogger logger, Exception e);
}
