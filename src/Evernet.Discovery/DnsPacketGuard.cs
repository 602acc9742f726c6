using System.Buffers.Binary;

namespace Evernet.Discovery;

/// <summary>
/// A structural check of a DNS message before it reaches Makaretu.Dns. Makaretu reads names recursively, one stack frame
/// per label, so a 9000-byte packet of one-byte labels overflows the stack, which no catch can stop. This walk bounds every
/// name Makaretu would read (255 octets, backward-only compression pointers) and every section length, without allocating.
/// </summary>
public static class DnsPacketGuard
{
    /// <summary>RFC 6762 §17: an mDNS message is at most 9000 bytes.</summary>
    public const int MaxMessageBytes = 9000;
    private const int HeaderBytes = 12;
    private const int MaxNameOctets = 255;
    private const int MaxPointerJumps = 32;
    /// <summary>No legitimate mDNS message carries more; a cap keeps a hostile header from costing much.</summary>
    private const int MaxRecords = 512;

    public static bool IsWellFormed(ReadOnlySpan<byte> message, out string problem)
    {
        problem = "";
        if (message.Length < HeaderBytes) { problem = "shorter than a DNS header"; return false; }
        if (message.Length > MaxMessageBytes) { problem = "larger than 9000 bytes"; return false; }
        int questions = BinaryPrimitives.ReadUInt16BigEndian(message[4..]);
        int records = BinaryPrimitives.ReadUInt16BigEndian(message[6..])
            + BinaryPrimitives.ReadUInt16BigEndian(message[8..])
            + BinaryPrimitives.ReadUInt16BigEndian(message[10..]);
        if (questions + records > MaxRecords) { problem = "too many questions and records"; return false; }

        int position = HeaderBytes;
        for (int i = 0; i < questions; i++)
        {
            if (!TrySkipName(message, ref position, out problem)) return false;
            if (!TryAdvance(message, ref position, 4)) { problem = "question truncated"; return false; }
        }
        for (int i = 0; i < records; i++)
        {
            if (!TrySkipName(message, ref position, out problem)) return false;
            if (position + 10 > message.Length) { problem = "record header truncated"; return false; }
            var type = BinaryPrimitives.ReadUInt16BigEndian(message[position..]);
            int dataLength = BinaryPrimitives.ReadUInt16BigEndian(message[(position + 8)..]);
            position += 10;
            if (position + dataLength > message.Length) { problem = "record data truncated"; return false; }
            if (!NamesInDataAreBounded(message, type, position, dataLength, out problem)) return false;
            position += dataLength;
        }
        return true;
    }

    /// <summary>The record types whose data Makaretu parses for names, and where those names sit.</summary>
    private static bool NamesInDataAreBounded(ReadOnlySpan<byte> message, ushort type, int start, int length, out string problem)
    {
        problem = "";
        int end = start + length;
        switch (type)
        {
            case 2: case 5: case 12: case 39: case 47: case 249: case 250: // NS, CNAME, PTR, DNAME, NSEC, TKEY, TSIG
                return CheckNamesAt(message, start, end, 1, out problem);
            case 15: case 18: // MX, AFSDB
                return CheckNamesAt(message, start + 2, end, 1, out problem);
            case 33: // SRV
                return CheckNamesAt(message, start + 6, end, 1, out problem);
            case 6: case 17: // SOA, RP
                return CheckNamesAt(message, start, end, 2, out problem);
            case 46: // RRSIG: signer name after 18 fixed bytes
                return CheckNamesAt(message, start + 18, end, 1, out problem);
            default:
                return true;
        }
    }

    private static bool CheckNamesAt(ReadOnlySpan<byte> message, int position, int end, int count, out string problem)
    {
        problem = "";
        for (int i = 0; i < count; i++)
        {
            if (position >= end) { problem = "name in record data truncated"; return false; }
            if (!TrySkipName(message[..end], ref position, out problem)) return false;
        }
        return true;
    }

    /// <summary>Moves past one (possibly compressed) name, checking that its expansion stays within 255 octets.</summary>
    private static bool TrySkipName(ReadOnlySpan<byte> message, ref int position, out string problem)
    {
        problem = "";
        int cursor = position;
        int octets = 1; // the root label
        int jumps = 0;
        int? resumeAt = null;
        while (true)
        {
            if (cursor >= message.Length) { problem = "name truncated"; return false; }
            byte length = message[cursor];
            if (length == 0)
            {
                cursor++;
                break;
            }
            if ((length & 0xC0) == 0xC0)
            {
                if (cursor + 1 >= message.Length) { problem = "compression pointer truncated"; return false; }
                int target = ((length & 0x3F) << 8) | message[cursor + 1];
                // Only backward pointers: a name can then never refer to itself or to what follows it.
                if (target >= cursor || target < HeaderBytes) { problem = "compression pointer not backward"; return false; }
                if (++jumps > MaxPointerJumps) { problem = "too many compression pointers"; return false; }
                resumeAt ??= cursor + 2;
                cursor = target;
                continue;
            }
            if ((length & 0xC0) != 0) { problem = "unsupported label type"; return false; }
            octets += length + 1;
            if (octets > MaxNameOctets) { problem = "name longer than 255 octets"; return false; }
            cursor += 1 + length;
        }
        position = resumeAt ?? cursor;
        return true;
    }

    private static bool TryAdvance(ReadOnlySpan<byte> message, ref int position, int count)
    {
        if (position + count > message.Length) return false;
        position += count;
        return true;
    }
}
