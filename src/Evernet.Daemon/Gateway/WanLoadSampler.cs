using System.Globalization;
using Evernet.Policy;

namespace Evernet.Daemon.Gateway;

/// <summary>
/// Reads what the load reporter needs from the kernel: the WAN interface's byte counters (sysfs) and the number of
/// tracked connections (conntrack). Missing files are reported, not thrown: a gateway without conntrack still works.
/// </summary>
public sealed class WanLoadSampler
{
    private readonly string _device;
    private readonly string _sysfsRoot;
    private readonly string _procRoot;

    public WanLoadSampler(string device, string sysfsRoot = "/sys/class/net", string procRoot = "/proc")
    {
        _device = device;
        _sysfsRoot = sysfsRoot;
        _procRoot = procRoot;
    }

    public string? LastError { get; private set; }

    /// <summary>Download = bytes received on the WAN, upload = bytes sent.</summary>
    public InterfaceCounterSample? SampleCounters(long nowUnixMs)
    {
        try
        {
            ulong rx = ReadUInt64(Path.Combine(_sysfsRoot, _device, "statistics", "rx_bytes"));
            ulong tx = ReadUInt64(Path.Combine(_sysfsRoot, _device, "statistics", "tx_bytes"));
            LastError = null;
            return new InterfaceCounterSample(nowUnixMs, rx, tx);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or OverflowException)
        {
            LastError = $"cannot read counters of {_device}: {e.Message}";
            return null;
        }
    }

    /// <summary>Active flows from nf_conntrack_count; 0 when conntrack is not loaded (the namespace or kernel has none).</summary>
    public uint ActiveFlows()
    {
        try
        {
            return (uint)Math.Min(uint.MaxValue, ReadUInt64(Path.Combine(_procRoot, "sys", "net", "netfilter", "nf_conntrack_count")));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or OverflowException)
        {
            return 0;
        }
    }

    private static ulong ReadUInt64(string path) =>
        ulong.Parse(File.ReadAllText(path).Trim(), NumberStyles.None, CultureInfo.InvariantCulture);
}
