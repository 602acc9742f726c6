using System.Buffers.Binary;
using System.Net;
using System.Text;

namespace Evernet.GapProbe;

/// <summary>
/// The probe's tiny wire format. The echo server appends the source address it observed, which behind the testbed's
/// NAT gateways is the WAN address of the gateway that carried the packet: that is how a client learns which
/// gateway it is currently using without any help from the router under test.
/// </summary>
public static class EchoProtocol
{
    public const int DefaultUdpPort = 4000;
    public const int DefaultTcpPort = 4001;

    /// <summary>UDP request: "EVGP" + 64-bit big-endian sequence number.</summary>
    public const int HeaderLength = 12;

    private static ReadOnlySpan<byte> Magic => "EVGP"u8;

    public static void WriteRequest(Span<byte> buffer, long sequence)
    {
        Magic.CopyTo(buffer);
        BinaryPrimitives.WriteInt64BigEndian(buffer[4..], sequence);
    }

    public static bool TryReadSequence(ReadOnlySpan<byte> datagram, out long sequence)
    {
        sequence = 0;
        if (datagram.Length < HeaderLength || !datagram[..4].SequenceEqual(Magic))
        {
            return false;
        }

        sequence = BinaryPrimitives.ReadInt64BigEndian(datagram[4..]);
        return sequence >= 0;
    }

    /// <summary>Builds the reply into <paramref name="reply"/>; returns its length, or 0 if the request is not ours.</summary>
    public static int BuildReply(ReadOnlySpan<byte> request, EndPoint observed, Span<byte> reply)
    {
        if (!TryReadSequence(request, out _))
        {
            return 0;
        }

        request[..HeaderLength].CopyTo(reply);
        var written = Encoding.ASCII.GetBytes(FormatEndPoint(observed), reply[HeaderLength..]);
        return HeaderLength + written;
    }

    /// <summary>The observed source address in a reply ("" when the server sent none).</summary>
    public static string ReadObservedAddress(ReadOnlySpan<byte> reply)
    {
        var text = Encoding.ASCII.GetString(reply[HeaderLength..]);
        return AddressOnly(text);
    }

    public static string FormatEndPoint(EndPoint endPoint) => endPoint switch
    {
        IPEndPoint ip => new IPEndPoint(ip.Address.IsIPv4MappedToIPv6 ? ip.Address.MapToIPv4() : ip.Address, ip.Port).ToString(),
        _ => endPoint.ToString() ?? "",
    };

    /// <summary>"203.0.113.6:5555" → "203.0.113.6"; the port changes per socket, the address identifies the gateway.</summary>
    public static string AddressOnly(string endPointText) =>
        IPEndPoint.TryParse(endPointText, out var ep) ? ep.Address.ToString() : endPointText;
}
