using Evernet.Control.Dtos;
using Evernet.Gossip.Identity;

namespace Evernet.Control.Server;

/// <summary>
/// What evernetd does for each control command. Called from the control server's connection tasks, concurrently:
/// an implementation hands the work to the daemon's event loop and awaits the answer there.
/// Throw <see cref="ControlCommandException"/> to answer with a specific error code; any other exception becomes "internal_error".
/// The token is cancelled when the command's time limit passes or the server stops.
/// </summary>
public interface IControlHandler
{
    ValueTask<StatusData> GetStatusAsync(CancellationToken cancellationToken);
    ValueTask<MembersData> GetMembersAsync(CancellationToken cancellationToken);
    ValueTask<GatewaysData> GetGatewaysAsync(CancellationToken cancellationToken);
    ValueTask<RoutesData> GetRoutesAsync(CancellationToken cancellationToken);
    ValueTask<EventsData> GetEventsAsync(EventsArgs args, CancellationToken cancellationToken);
    ValueTask<MetricsData> GetMetricsAsync(CancellationToken cancellationToken);
    /// <summary>Re-read this node's certificate file and use it from now on (renewal without restart).</summary>
    ValueTask<CertificateReloadData> ReloadCertificateAsync(CancellationToken cancellationToken);
    /// <summary>An operator's revocation, already decoded (not yet verified: that is the daemon's trust store's job).</summary>
    ValueTask<RevocationSubmitData> SubmitRevocationAsync(Revocation revocation, CancellationToken cancellationToken);
    /// <summary>"drain" (true) or "undrain" (false). Answer <see cref="ControlErrorCodes.NotApplicable"/> on a node that is not a gateway.</summary>
    ValueTask<DrainData> SetDrainingAsync(bool draining, CancellationToken cancellationToken);
}
