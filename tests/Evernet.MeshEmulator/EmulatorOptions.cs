using System.Globalization;

namespace Evernet.MeshEmulator;

/// <summary>Command line of evernet-mesh-emulator.</summary>
public sealed record EmulatorOptions(
    int Nodes,
    int Gateways,
    int BasePort,
    string OutputDirectory,
    TimeSpan Duration,
    TimeSpan SummaryInterval,
    TimeSpan StatusInterval)
{
    public const string Usage = """
        evernet-mesh-emulator: real GossipNodes on 127.0.0.1 (one UDP socket each, consecutive ports), and the files for a
        real evernetd to join them as one more member.

          evernet-mesh-emulator --out DIR [--nodes 102] [--gateways 3] [--base-port 47600] [--duration SECONDS]
                                [--summary-interval SECONDS] [--status-interval SECONDS]

        DIR receives authority.pub, guest/node.cert, guest/state/{node.key,wireguard.key} and guest/evernetd.json
        (port BASE+NODES, the gateways as seeds, dry-run dataplane, discovery off). The first --gateways nodes are
        gateways publishing an "uplink up" summary every --summary-interval. Runs until --duration passes (0: until
        SIGINT/SIGTERM). Prints "ready" once every emulated node sees all the others alive, then a status line now
        and then (alive members as seen by node 0, whether the guest has joined).
        """;

    /// <summary>Parses the arguments; <c>Error</c> is set (and the options null) when they are unusable.</summary>
    public static (EmulatorOptions? Options, string? Error) Parse(IReadOnlyList<string> args)
    {
        int nodes = 102, gateways = 3, basePort = 47600;
        double duration = 0, summary = 5, status = 10;
        string? output = null;
        for (int i = 0; i < args.Count; i++)
        {
            string arg = args[i];
            if (i + 1 >= args.Count) return (null, $"{arg} needs a value");
            string value = args[++i];
            bool ok = arg switch
            {
                "--nodes" => int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out nodes),
                "--gateways" => int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out gateways),
                "--base-port" => int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out basePort),
                "--duration" => double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out duration),
                "--summary-interval" => double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out summary),
                "--status-interval" => double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out status),
                "--out" => (output = value).Length > 0,
                _ => false,
            };
            if (!ok) return (null, $"{arg} {value}: not understood");
        }
        if (output is null) return (null, "--out DIR is required");
        if (nodes < 2) return (null, "--nodes must be at least 2");
        if (gateways < 1 || gateways > nodes) return (null, "--gateways must be between 1 and --nodes");
        if (basePort < 1024 || basePort + nodes > 65535) return (null, "--base-port: ports BASE..BASE+NODES must lie in 1024..65535");
        if (duration < 0 || summary <= 0 || status <= 0) return (null, "durations must be positive (--duration 0: until stopped)");
        return (new EmulatorOptions(nodes, gateways, basePort, Path.GetFullPath(output), TimeSpan.FromSeconds(duration),
            TimeSpan.FromSeconds(summary), TimeSpan.FromSeconds(status)), null);
    }

    /// <summary>The guest evernetd's gossip port: right after the emulated nodes'.</summary>
    public int GuestPort => BasePort + Nodes;
}
