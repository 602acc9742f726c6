using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Evernet.Daemon.State;

/// <summary>What a warm start found: the stored items, or none and why.</summary>
public sealed record MembershipSnapshot(IReadOnlyList<byte[]> Items, DateTimeOffset? SavedAt, string? Problem)
{
    public static MembershipSnapshot Empty(string? problem) => new([], null, problem);
}

/// <summary>
/// membership.bin: the last known membership for a warm start, as opaque items (the host encodes them with the core's
/// codec; this file does not know the format). Binary, big-endian:
/// <code>
/// "EVMS" | version u8 = 1 | saved_at_unix_ms i64 | count u32 | count × (length u32 | bytes) | SHA-256 of everything before (32 bytes)
/// </code>
/// It is a cache: a missing or damaged file yields an empty snapshot with <see cref="MembershipSnapshot.Problem"/> set
/// (the node then learns the mesh from its seeds and neighbours), never an exception.
/// </summary>
public static class MembershipSnapshotFile
{
    private static ReadOnlySpan<byte> Magic => "EVMS"u8;
    private const byte Version = 1;
    private const int HeaderBytes = 4 + 1 + 8 + 4;
    private const int HashBytes = 32;
    public const int MaxItems = 65_536;
    public const int MaxItemBytes = 64 * 1024;
    public const long MaxFileBytes = 64L * 1024 * 1024;

    public static void Save(string path, IReadOnlyCollection<ReadOnlyMemory<byte>> items, DateTimeOffset savedAt)
    {
        if (items.Count > MaxItems) throw new ArgumentException($"at most {MaxItems} items", nameof(items));
        long size = HeaderBytes + HashBytes;
        foreach (var item in items)
        {
            if (item.Length > MaxItemBytes) throw new ArgumentException($"an item is at most {MaxItemBytes} bytes", nameof(items));
            size += 4 + item.Length;
        }
        if (size > MaxFileBytes) throw new ArgumentException($"a snapshot is at most {MaxFileBytes} bytes", nameof(items));
        var buffer = new byte[size];
        var span = buffer.AsSpan();
        Magic.CopyTo(span);
        span[4] = Version;
        BinaryPrimitives.WriteInt64BigEndian(span[5..], savedAt.ToUnixTimeMilliseconds());
        BinaryPrimitives.WriteUInt32BigEndian(span[13..], (uint)items.Count);
        int position = HeaderBytes;
        foreach (var item in items)
        {
            BinaryPrimitives.WriteUInt32BigEndian(span[position..], (uint)item.Length);
            item.Span.CopyTo(span[(position + 4)..]);
            position += 4 + item.Length;
        }
        SHA256.HashData(span[..position], span[position..]);
        AtomicFile.Write(path, buffer, AtomicFile.SecretMode);
    }

    public static MembershipSnapshot Load(string path)
    {
        byte[] content;
        try
        {
            var info = new FileInfo(path);
            if (!info.Exists) return MembershipSnapshot.Empty(null);
            if (info.Length > MaxFileBytes) return MembershipSnapshot.Empty($"{path}: {info.Length} bytes is larger than any snapshot; ignored");
            content = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return MembershipSnapshot.Empty($"{path}: cannot read: {e.Message}; starting without it");
        }
        var problem = Check(content, out var items, out var savedAt);
        return problem is null ? new MembershipSnapshot(items, savedAt, null) : MembershipSnapshot.Empty($"{path}: {problem}; starting without it");
    }

    private static string? Check(ReadOnlySpan<byte> content, out List<byte[]> items, out DateTimeOffset savedAt)
    {
        items = [];
        savedAt = default;
        if (content.Length < HeaderBytes + HashBytes || !content[..4].SequenceEqual(Magic)) return "not a membership snapshot";
        if (content[4] != Version) return $"snapshot version {content[4]} is not supported";
        var body = content[..^HashBytes];
        Span<byte> hash = stackalloc byte[HashBytes];
        SHA256.HashData(body, hash);
        if (!hash.SequenceEqual(content[^HashBytes..])) return "checksum mismatch (damaged or torn file)";
        savedAt = DateTimeOffset.FromUnixTimeMilliseconds(BinaryPrimitives.ReadInt64BigEndian(body[5..]));
        uint count = BinaryPrimitives.ReadUInt32BigEndian(body[13..]);
        if (count > MaxItems) return $"{count} items is more than {MaxItems}";
        int position = HeaderBytes;
        for (uint i = 0; i < count; i++)
        {
            if (position + 4 > body.Length) return "truncated item header";
            uint length = BinaryPrimitives.ReadUInt32BigEndian(body[position..]);
            position += 4;
            if (length > MaxItemBytes || position + length > body.Length) return "item length out of bounds";
            items.Add(body.Slice(position, (int)length).ToArray());
            position += (int)length;
        }
        return position == body.Length ? null : "trailing bytes after the last item";
    }
}
