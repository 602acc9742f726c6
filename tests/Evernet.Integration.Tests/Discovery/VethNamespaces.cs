using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Evernet.Integration.Tests.Discovery;

/// <summary>
/// Two network namespaces joined by a veth pair, created for one test and deleted after it. Sockets opened inside
/// <see cref="Run{T}"/> belong to the namespace for their whole life, so the test process can talk across the link.
/// </summary>
internal sealed class VethNamespaces : IDisposable
{
    private const int CloneNewNet = 0x40000000;
    private static int _sequence;

    public VethNamespaces(string ipv4A, string ipv4B, string ipv6A, string ipv6B)
    {
        int n = Interlocked.Increment(ref _sequence);
        var tag = $"{Environment.ProcessId % 100000}x{n}";
        A = $"evd-{tag}-a";
        B = $"evd-{tag}-b";
        InterfaceA = $"evda{n}";
        InterfaceB = $"evdb{n}";
        try
        {
            Ip($"netns add {A}");
            Ip($"netns add {B}");
            Ip($"link add {InterfaceA} netns {A} type veth peer name {InterfaceB} netns {B}");
            foreach (var (ns, dev, v4, v6) in new[] { (A, InterfaceA, ipv4A, ipv6A), (B, InterfaceB, ipv4B, ipv6B) })
            {
                // No duplicate address detection: addresses (and the link-local one) are usable the moment the link is up.
                Run("ip", $"netns exec {ns} sysctl -q -w net.ipv6.conf.{dev}.accept_dad=0");
                Ip($"-n {ns} link set lo up");
                Ip($"-n {ns} addr add {v4}/24 dev {dev}");
                Ip($"-n {ns} addr add {v6}/64 dev {dev} nodad");
                Ip($"-n {ns} link set {dev} up");
            }
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    public string A { get; }
    public string B { get; }
    public string InterfaceA { get; }
    public string InterfaceB { get; }

    /// <summary>Runs <paramref name="action"/> on a fresh thread that has entered namespace <paramref name="ns"/>.</summary>
    public static T Run<T>(string ns, Func<T> action)
    {
        T result = default!;
        Exception? failure = null;
        var thread = new Thread(() =>
        {
            try
            {
                using var handle = File.OpenHandle($"/run/netns/{ns}", FileMode.Open, FileAccess.Read);
                if (setns((int)handle.DangerousGetHandle(), CloneNewNet) != 0)
                    throw new InvalidOperationException($"setns({ns}) failed: errno {Marshal.GetLastPInvokeError()}");
                result = action();
            }
            catch (Exception e)
            {
                failure = e;
            }
        });
        thread.Start();
        thread.Join();
        if (failure is not null) throw new InvalidOperationException($"in namespace {ns}: {failure.Message}", failure);
        return result;
    }

    public static void Ip(string arguments) => Run("ip", arguments);

    public static string Run(string file, string arguments)
    {
        using var process = Process.Start(new ProcessStartInfo(file, arguments) { RedirectStandardOutput = true, RedirectStandardError = true })!;
        var output = process.StandardOutput.ReadToEnd();
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0) throw new InvalidOperationException($"{file} {arguments}: exit {process.ExitCode}: {error.Trim()}");
        return output;
    }

    public void Dispose()
    {
        foreach (var ns in new[] { A, B })
        {
            try { Run("ip", $"netns del {ns}"); }
            catch (InvalidOperationException) { /* never created */ }
        }
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int setns(int fd, int nstype);
}
