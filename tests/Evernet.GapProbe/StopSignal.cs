using System.Runtime.InteropServices;

namespace Evernet.GapProbe;

/// <summary>
/// One cancellation token for "stop now": SIGTERM, SIGINT or the optional duration elapsing. The measuring loops
/// end on it and the report is printed afterwards, so `kill PID` yields a complete JSON report.
/// </summary>
public sealed class StopSignal : IDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly PosixSignalRegistration _term;
    private readonly PosixSignalRegistration _int;

    public StopSignal(TimeSpan? duration)
    {
        _term = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);
        _int = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);
        if (duration is { } d)
        {
            _stop.CancelAfter(d);
        }
    }

    public CancellationToken Token => _stop.Token;

    private void OnSignal(PosixSignalContext context)
    {
        context.Cancel = true; // keep the process alive so the report gets written
        _stop.Cancel();
    }

    public void Dispose()
    {
        _term.Dispose();
        _int.Dispose();
        _stop.Dispose();
    }
}
