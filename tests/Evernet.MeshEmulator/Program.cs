using System.Net.Sockets;
using System.Runtime.InteropServices;
using Evernet.MeshEmulator;

if (OperatingSystem.IsWindows())
{
    Console.Error.WriteLine("evernet-mesh-emulator: Linux only");
    return 69;
}

if (args.Length == 0 || args.Contains("--help") || args.Contains("-h"))
{
    Console.WriteLine(EmulatorOptions.Usage);
    return args.Length == 0 ? 64 : 0;
}
var (options, error) = EmulatorOptions.Parse(args);
if (options is null)
{
    Console.Error.WriteLine($"evernet-mesh-emulator: {error}");
    return 64;
}

MeshEmulator emulator;
try
{
    emulator = new MeshEmulator(options);
}
catch (SocketException e)
{
    Console.Error.WriteLine($"evernet-mesh-emulator: cannot bind 127.0.0.1:{options.BasePort}..{options.BasePort + options.Nodes - 1}: {e.Message}");
    return 69;
}
using (emulator)
{
    var paths = GuestFiles.Write(options, emulator.Authority, emulator.Gateways);
    Console.WriteLine($"emulating {options.Nodes} members on 127.0.0.1:{options.BasePort}..{options.BasePort + options.Nodes - 1} ({options.Gateways} gateways)");
    Console.WriteLine($"guest: evernetd --config {paths.Config}   (gossip port {options.GuestPort})");
    Console.Out.Flush();

    using var cancel = new CancellationTokenSource();
    Console.CancelKeyPress += (_, e) => { e.Cancel = true; cancel.Cancel(); };
    using var term = PosixSignalRegistration.Create(PosixSignal.SIGTERM, c => { c.Cancel = true; cancel.Cancel(); });
    await emulator.RunAsync(Console.Out, cancel.Token);
    Console.WriteLine("stopped");
}
return 0;
