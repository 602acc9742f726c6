using Evernet.Policy;

namespace Evernet.Dataplane;

/// <summary>
/// What a host (evernetd) needs from the dataplane; <see cref="DataplaneApplier"/> is the implementation. None of the
/// operations throws for dataplane failures: they come back in the result and in <see cref="Status"/>.
/// </summary>
public interface IDataplane
{
    DataplaneStatus Status { get; }

    /// <summary>Makes the system match <paramref name="desired"/>, issuing only the commands needed.</summary>
    Task<DataplaneApplyResult> ApplyAsync(DesiredDataplane desired, CancellationToken cancellationToken = default);

    /// <summary>Re-reads the system and repairs drift from the last applied state (call periodically).</summary>
    Task<DataplaneApplyResult> ReconcileAsync(CancellationToken cancellationToken = default);

    /// <summary>Removes everything evernet installed. Not called on shutdown: a restart must not drop traffic.</summary>
    Task<DataplaneApplyResult> TeardownAsync(CancellationToken cancellationToken = default);
}
