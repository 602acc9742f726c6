using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Evernet.Dataplane;

/// <summary>An address with a prefix length ("10.0.0.1/24"), compared by value; the host part is kept unless <see cref="Masked"/>.</summary>
public readonly record struct IpPrefix(IPAddress Address, int Length)
{
    public AddressFamily Family => Address.AddressFamily;

    public bool IsIPv6 => Address.AddressFamily == AddressFamily.InterNetworkV6;

    public int MaxLength => IsIPv6 ? 128 : 32;

    public bool IsIPv6LinkLocal => IsIPv6 && Address.IsIPv6LinkLocal;

    /// <summary>Parses "addr/len" or a bare address (full length). Rejects anything else, including zone ids.</summary>
    public static bool TryParse(string? text, out IpPrefix prefix)
    {
        prefix = default;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        var slash = text.IndexOf('/', StringComparison.Ordinal);
        var addressText = slash < 0 ? text : text[..slash];
        if (addressText.Contains('%') || !IPAddress.TryParse(addressText, out var address))
        {
            return false;
        }

        if (address.AddressFamily is not (AddressFamily.InterNetwork or AddressFamily.InterNetworkV6))
        {
            return false;
        }

        var max = address.AddressFamily == AddressFamily.InterNetworkV6 ? 128 : 32;
        var length = max;
        if (slash >= 0 && (!int.TryParse(text.AsSpan(slash + 1), NumberStyles.None, CultureInfo.InvariantCulture, out length) || length > max))
        {
            return false;
        }

        prefix = new IpPrefix(address, length);
        return true;
    }

    public static IpPrefix Parse(string text) =>
        TryParse(text, out var prefix) ? prefix : throw new FormatException($"'{text}' is not an IP prefix");

    /// <summary>The network: host bits cleared (what `wg` and the kernel store for allowed-ips and rule sources).</summary>
    public IpPrefix Masked()
    {
        var bytes = Address.GetAddressBytes();
        for (var bit = Length; bit < bytes.Length * 8; bit++)
        {
            bytes[bit / 8] &= (byte)~(0x80 >> (bit % 8));
        }

        return new IpPrefix(new IPAddress(bytes), Length);
    }

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Address}/{Length}");
}
