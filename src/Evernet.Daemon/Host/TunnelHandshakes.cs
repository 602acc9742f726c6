using System.Globalization;
using Evernet.Dataplane.Commands;

namespace Evernet.Daemon.Host;

/// <summary>Reads `wg show all latest-handshakes`: public keys and times only, never private material.</summary>
public static class TunnelHandshakes
{
    /// <returns>(interface, peer public key) → last handshake in unix seconds (0: never). Empty when `wg` fails.</returns>
    public static async Task<Dictionary<(string Interface, string PublicKey), long>> ReadAsync(ICommandRunner runner, CancellationToken cancellationToken)
    {
        var result = new Dictionary<(string, string), long>();
        CommandResult output;
        try
        {
            output = await runner.RunAsync(Command.Read("wg", "show", "all", "latest-handshakes"), cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return result;
        }
        if (!output.Succeeded) return result;
        foreach (var line in output.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var parts = line.Split('\t');
            if (parts.Length == 3 && long.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out long at))
                result[(parts[0], parts[1])] = at;
        }
        return result;
    }
}
