using Evernet.Control.Dtos;
using Microsoft.Extensions.Logging;

namespace Evernet.Daemon.Web;

/// <summary>Asks the daemon for its gateways every <see cref="WebAdminOptions.SampleInterval"/> and records them in the history.</summary>
public sealed class GatewaySampler(ControlCalls calls, GatewayHistory history, TimeSpan interval, TimeProvider time, ILogger logger)
{
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(interval, time);
        try
        {
            do
            {
                var result = await calls.CallAsync<GatewaysData>("gateways", (h, ct) => h.GetGatewaysAsync(ct), cancellationToken).ConfigureAwait(false);
                // A failed call leaves a gap: the charts show missing data rather than invented data.
                if (result.Value is { } gateways) history.Record(gateways);
            }
            while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false));
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        catch (Exception ex)
        {
            WebAdminLog.BackgroundFailed(logger, "gateway sampler", ex);
        }
    }
}
