using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;

namespace Evernet.Integration.Tests.Infrastructure;

/// <summary>
/// A network namespace owned by one test. Names are unique (<c>evt&lt;pid&gt;-&lt;label&gt;-&lt;random&gt;</c>) so tests run in
/// parallel; <see cref="Dispose"/> removes TUN devices (so wireguard-go daemons exit and remove their sockets), kills
/// any process still inside, and deletes the namespace. Namespaces left behind by a crashed test run (whose pid is
/// gone) are swept the next time one is created.
/// </summary>
public sealed class NetNs : IDisposable
{
    private const string Prefix = "evt";
    private static readonly TimeSpan CommandTimeout = TimeSpan.FromSeconds(20);
    private int _disposed;

    private NetNs(string name) => Name = name;

    public string Name { get; }

    /// <summary>Why namespace tests cannot run here, or null when they can.</summary>
    public static string? SkipReason =>
        !Environment.IsPrivilegedProcess ? "requires root (creates network namespaces)"
        : FindExecutable("ip") is null ? "requires iproute2 (`ip`)"
        : null;

    /// <summary>Why WireGuard namespace tests cannot run here (adds wireguard-go, wg and nft to <see cref="SkipReason"/>), or null.</summary>
    public static string? WireGuardSkipReason =>
        SkipReason
        ?? (FindExecutable("wireguard-go") is null ? "requires wireguard-go in PATH (CI installs it: apt-get install wireguard-go)"
        : FindExecutable("wg") is null ? "requires wg (wireguard-tools)"
        : FindExecutable("nft") is null ? "requires nft (nftables)"
        : null);

    public static NetNs Create(string label)
    {
        SweepOrphans();
        var name = $"{Prefix}{Environment.ProcessId.ToString(CultureInfo.InvariantCulture)}-{label}-{RandomHex(3)}";
        Run(["ip", "netns", "add", name]).EnsureSuccess();
        var ns = new NetNs(name);
        try
        {
            ns.Exec("ip", "link", "set", "lo", "up");
        }
        catch
        {
            ns.Dispose();
            throw;
        }

        return ns;
    }

    /// <summary>
    /// Interface name unique across the host. Needed for wireguard-go: its control socket
    /// /var/run/wireguard/NAME.sock is not per namespace.
    /// </summary>
    public static string UniqueInterfaceName(string prefix)
    {
        var name = prefix + RandomHex(4);
        return name.Length <= 15 ? name : throw new ArgumentException("interface name prefix too long", nameof(prefix));
    }

    /// <summary>Creates a veth pair with one end in each namespace and brings both up.</summary>
    public static void ConnectVeth(NetNs a, string aInterface, NetNs b, string bInterface)
    {
        Run(["ip", "link", "add", aInterface, "netns", a.Name, "type", "veth", "peer", "name", bInterface, "netns", b.Name]).EnsureSuccess();
        a.Exec("ip", "link", "set", aInterface, "up");
        b.Exec("ip", "link", "set", bInterface, "up");
    }

    /// <summary>Runs a program inside the namespace (<c>ip netns exec</c>); throws with its stderr on failure.</summary>
    public ProcessOutput Exec(params string[] command) => TryExec(command).EnsureSuccess();

    public ProcessOutput TryExec(params string[] command) => Run(["ip", "netns", "exec", Name, .. command]);

    public ProcessOutput TryExecWithInput(string input, params string[] command) => Run(["ip", "netns", "exec", Name, .. command], input);

    /// <summary>Parses the JSON output of an <c>ip -j</c> command run in the namespace.</summary>
    public JsonElement ExecJson(params string[] command)
    {
        var output = Exec(command).StandardOutput;
        using var document = JsonDocument.Parse(string.IsNullOrWhiteSpace(output) ? "[]" : output);
        return document.RootElement.Clone();
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        Cleanup(Name);
    }

    /// <summary>Runs a program (argument list, no shell) with a timeout.</summary>
    public static ProcessOutput Run(IReadOnlyList<string> command, string? input = null)
    {
        var startInfo = new ProcessStartInfo(command[0])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = input is not null,
            UseShellExecute = false,
        };
        foreach (var argument in command.Skip(1))
        {
            startInfo.ArgumentList.Add(argument);
        }

        // A daemon started by the command (wireguard-go) would otherwise inherit our pipes when LOG_LEVEL is set.
        startInfo.Environment.Remove("LOG_LEVEL");
        startInfo.Environment.Remove("WG_PROCESS_FOREGROUND");
        using var process = Process.Start(startInfo) ?? throw new InvalidOperationException($"cannot start {command[0]}");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (input is not null)
        {
            process.StandardInput.Write(input);
            process.StandardInput.Close();
        }

        if (!process.WaitForExit(CommandTimeout))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"`{string.Join(' ', command)}` did not finish within {CommandTimeout.TotalSeconds} s");
        }

        process.WaitForExit();
        return new ProcessOutput(string.Join(' ', command), process.ExitCode, stdout.GetAwaiter().GetResult(), stderr.GetAwaiter().GetResult());
    }

    private static void Cleanup(string name)
    {
        // Deleting a wireguard-go TUN device makes the daemon exit cleanly (and remove its socket).
        var links = Run(["ip", "-n", name, "-j", "-d", "link", "show"]);
        if (links.ExitCode == 0 && !string.IsNullOrWhiteSpace(links.StandardOutput))
        {
            using var document = JsonDocument.Parse(links.StandardOutput);
            foreach (var link in document.RootElement.EnumerateArray())
            {
                if (link.TryGetProperty("linkinfo", out var info) && info.TryGetProperty("info_kind", out var kind)
                    && kind.GetString() is "tun" or "wireguard")
                {
                    Run(["ip", "-n", name, "link", "del", link.GetProperty("ifname").GetString()!]);
                }
            }
        }

        var deadline = Stopwatch.StartNew();
        var pids = Pids(name);
        while (pids.Count > 0 && deadline.Elapsed < TimeSpan.FromSeconds(2))
        {
            Thread.Sleep(50);
            pids = Pids(name);
        }

        foreach (var pid in pids)
        {
            try
            {
                using var process = Process.GetProcessById(pid);
                process.Kill();
                process.WaitForExit(2000);
            }
            catch (ArgumentException)
            {
                // Already gone.
            }
            catch (InvalidOperationException)
            {
                // Already gone.
            }
        }

        Run(["ip", "netns", "del", name]);
    }

    private static List<int> Pids(string name)
    {
        var output = Run(["ip", "netns", "pids", name]);
        return output.ExitCode != 0
            ? []
            : [.. output.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                .Select(static p => int.Parse(p, CultureInfo.InvariantCulture))
                .Where(static p => p != Environment.ProcessId)];
    }

    /// <summary>Deletes namespaces of earlier test runs whose process no longer exists.</summary>
    private static void SweepOrphans()
    {
        const string directory = "/var/run/netns";
        if (!Directory.Exists(directory))
        {
            return;
        }

        foreach (var path in Directory.EnumerateFiles(directory, Prefix + "*"))
        {
            var name = Path.GetFileName(path);
            var dash = name.IndexOf('-', StringComparison.Ordinal);
            if (dash > Prefix.Length
                && int.TryParse(name.AsSpan(Prefix.Length, dash - Prefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out var pid)
                && pid != Environment.ProcessId
                && !Directory.Exists($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}"))
            {
                Cleanup(name);
            }
        }
    }

    private static string RandomHex(int bytes) => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(bytes));

    private static string? FindExecutable(string program) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "/usr/sbin:/usr/bin:/sbin:/bin")
            .Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Select(directory => Path.Combine(directory, program))
            .FirstOrDefault(File.Exists);
}

/// <summary>Output of a finished program.</summary>
public sealed record ProcessOutput(string Command, int ExitCode, string StandardOutput, string StandardError)
{
    public ProcessOutput EnsureSuccess() =>
        ExitCode == 0 ? this : throw new InvalidOperationException($"`{Command}` failed ({ExitCode}): {StandardError.Trim()}");
}
