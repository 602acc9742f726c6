using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Evernet.Policy;

/// <summary>CIDR helpers: lenient parsing (host bits are masked off), overlap tests, canonical ordering.</summary>
public static class Prefixes
{
    /// <summary>Parses "a.b.c.d/n" or "v6/n"; a bare address is a host prefix. Host bits are cleared.</summary>
    public static bool TryParse(string? text, out IPNetwork network)
    {
        network = default;
        if (string.IsNullOrWhiteSpace(text)) return false;
        text = text.Trim();
        int slash = text.IndexOf('/');
        string addressText = slash < 0 ? text : text[..slash];
        // A zone index ("fe80::1%eth0") names a link, not a network.
        if (addressText.Contains('%') || !IPAddress.TryParse(addressText, out var address)) return false;
        int maxLength = address.AddressFamily == AddressFamily.InterNetwork ? 32 : 128;
        int length = maxLength;
        if (slash >= 0 && (!int.TryParse(text[(slash + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out length) || length > maxLength)) return false;
        if (address.IsIPv4MappedToIPv6) return false;
        var bytes = address.GetAddressBytes();
        for (int bit = length; bit < bytes.Length * 8; bit++) bytes[bit / 8] &= (byte)~(0x80 >> (bit % 8));
        network = new IPNetwork(new IPAddress(bytes), length);
        return true;
    }

    /// <summary>Like <see cref="TryParse"/>, but refuses host bits (configuration should say what it means).</summary>
    public static bool TryParseStrict(string? text, out IPNetwork network)
    {
        network = default;
        if (text is null || !text.Contains('/')) return false;
        string trimmed = text.Trim();
        return TryParse(trimmed, out network) && IPAddress.Parse(trimmed[..trimmed.IndexOf('/')]).Equals(network.BaseAddress);
    }

    public static bool Overlap(IPNetwork a, IPNetwork b) =>
        a.BaseAddress.AddressFamily == b.BaseAddress.AddressFamily && (a.Contains(b.BaseAddress) || b.Contains(a.BaseAddress));

    /// <summary>The first and last address of a prefix as numbers, for cheap overlap tests over many prefixes.</summary>
    public static PrefixRange Range(IPNetwork network)
    {
        Span<byte> bytes = stackalloc byte[16];
        bytes.Clear();
        bool v4 = IsIPv4(network);
        network.BaseAddress.TryWriteBytes(v4 ? bytes[12..] : bytes, out _);
        UInt128 low = System.Buffers.Binary.BinaryPrimitives.ReadUInt128BigEndian(bytes);
        int hostBits = (v4 ? 32 : 128) - network.PrefixLength;
        UInt128 span = hostBits == 128 ? UInt128.MaxValue : (UInt128.One << hostBits) - 1;
        return new PrefixRange(v4, low, low + span);
    }

    public static bool IsIPv4(IPNetwork network) => network.BaseAddress.AddressFamily == AddressFamily.InterNetwork;

    /// <summary>IPv4 before IPv6, then by address bytes, then shorter first.</summary>
    public static int Compare(IPNetwork a, IPNetwork b)
    {
        int family = (IsIPv4(a) ? 0 : 1).CompareTo(IsIPv4(b) ? 0 : 1);
        if (family != 0) return family;
        int bytes = a.BaseAddress.GetAddressBytes().AsSpan().SequenceCompareTo(b.BaseAddress.GetAddressBytes());
        return bytes != 0 ? bytes : a.PrefixLength.CompareTo(b.PrefixLength);
    }

    public static Comparer<IPNetwork> Order { get; } = Comparer<IPNetwork>.Create(Compare);

    /// <summary>"10.0.0.0/24", "fd00::/64": the form `ip` and `wg` print.</summary>
    public static string Format(IPNetwork network) => $"{network.BaseAddress}/{network.PrefixLength}";
}

/// <summary>A prefix as an inclusive address range; two prefixes overlap exactly when their ranges intersect.</summary>
public readonly record struct PrefixRange(bool IPv4, UInt128 First, UInt128 Last)
{
    public bool Overlaps(PrefixRange other) => IPv4 == other.IPv4 && First <= other.Last && other.First <= Last;
}
