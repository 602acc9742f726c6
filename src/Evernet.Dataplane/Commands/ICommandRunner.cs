namespace Evernet.Dataplane.Commands;

/// <summary>Runs dataplane programs (ip, wg, nft, wireguard-go), possibly inside a network namespace.</summary>
public interface ICommandRunner
{
    /// <summary>Namespace the commands run in, or null for the caller's own.</summary>
    string? NetworkNamespace { get; }

    /// <summary>Whether <paramref name="program"/> can be started (found in the runner's PATH).</summary>
    bool CanRun(string program);

    /// <summary>
    /// Runs a command to completion. A non-zero exit code is a normal result, not an exception.
    /// Throws <see cref="MissingBinaryException"/> when the program is absent and <see cref="CommandTimeoutException"/> when it hangs.
    /// </summary>
    Task<CommandResult> RunAsync(Command command, CancellationToken cancellationToken);
}
