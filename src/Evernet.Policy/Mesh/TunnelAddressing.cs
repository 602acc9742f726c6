using System.Collections.Immutable;
using System.Net;
using System.Buffers.Binary;

namespace Evernet.Policy;

/// <summary>A member's tunnel addresses (host addresses inside the tunnel subnets).</summary>
public sealed record TunnelAddresses(IPAddress IPv4, IPAddress IPv6)
{
    public string IPv4HostPrefix => $"{IPv4}/32";
    public string IPv6HostPrefix => $"{IPv6}/128";
}

/// <summary>Several keys hashed to the same address: the lowest key (bytewise) kept it, the others re-hashed.</summary>
public sealed record AddressCollision(string Address, ImmutableArray<string> Keys, string Winner);

/// <summary>The result of <see cref="TunnelAddressing.Assign"/>: addresses by WireGuard key (base64).</summary>
public sealed record TunnelAddressAssignment(
    ImmutableSortedDictionary<string, TunnelAddresses> ByKey,
    ImmutableArray<AddressCollision> Collisions,
    ImmutableArray<string> Unassigned)
{
    public TunnelAddresses? For(ReadOnlySpan<byte> wireGuardKey) => ByKey.TryGetValue(Convert.ToBase64String(wireGuardKey), out var a) ? a : null;
}

/// <summary>The tunnel addresses computed for a key set (sorted base64) and subnets; reused while neither changes.</summary>
public sealed record TunnelAddressCache(ImmutableArray<string> Keys, string IPv4Prefix, string IPv6Prefix, TunnelAddressAssignment Assignment)
{
    public bool Matches(ImmutableArray<string> keys, TunnelAddressingOptions options) =>
        IPv4Prefix == options.IPv4Prefix && IPv6Prefix == options.IPv6Prefix && Keys.AsSpan().SequenceEqual(keys.AsSpan());
}

/// <summary>
/// Tunnel addresses derived from WireGuard public keys, so no allocation protocol is needed: the address is
/// SHA-256(key ‖ counter) reduced into the subnet (IPv4 skips the network and broadcast addresses, IPv6 the all-zero
/// interface id). Collisions are resolved in rounds that depend only on the set of keys, never on their order: every
/// unresolved key proposes its address for its current counter; a proposal that hits an address taken in an earlier
/// round, or that loses to a lower key proposing the same address, re-hashes with counter+1. Every node with the same
/// member set computes the same assignment. IPv4 and IPv6 are resolved independently.
/// </summary>
public sealed class TunnelAddressing
{
    private const int MaxRounds = 4096;
    private readonly IPNetwork _v4, _v6;

    public TunnelAddressing(TunnelAddressingOptions options)
    {
        options.ThrowIfInvalid();
        Prefixes.TryParseStrict(options.IPv4Prefix, out _v4);
        Prefixes.TryParseStrict(options.IPv6Prefix, out _v6);
    }

    public IPNetwork IPv4Network => _v4;
    public IPNetwork IPv6Network => _v6;

    /// <summary>Addresses for every distinct 32-byte key; other lengths are ignored (certification rejects them first).</summary>
    public TunnelAddressAssignment Assign(IEnumerable<ReadOnlyMemory<byte>> keys)
    {
        var distinct = new SortedDictionary<byte[], string>(ByteOrder.Instance);
        foreach (var key in keys)
        {
            if (key.Length != 32) continue;
            var bytes = key.ToArray();
            distinct.TryAdd(bytes, Convert.ToBase64String(bytes));
        }
        var collisions = new List<AddressCollision>();
        var unassigned = new SortedSet<string>(StringComparer.Ordinal);
        var v4 = Resolve(distinct, (key, counter) => Candidate(_v4, key, counter), collisions, unassigned);
        var v6 = Resolve(distinct, (key, counter) => Candidate(_v6, key, counter), collisions, unassigned);
        var builder = ImmutableSortedDictionary.CreateBuilder<string, TunnelAddresses>(StringComparer.Ordinal);
        foreach (var (_, b64) in distinct)
            if (v4.TryGetValue(b64, out var a4) && v6.TryGetValue(b64, out var a6)) builder.Add(b64, new TunnelAddresses(a4, a6));
        return new TunnelAddressAssignment(builder.ToImmutable(), [.. collisions.OrderBy(c => c.Address, StringComparer.Ordinal)], [.. unassigned]);
    }

    /// <summary>The address a single key proposes in round <paramref name="counter"/>; exposed for tests and tooling.</summary>
    public IPAddress Candidate(IPNetwork network, ReadOnlySpan<byte> key, uint counter)
    {
        Span<byte> digest = stackalloc byte[32];
        StableHash.Digest(key, counter, digest);
        Span<byte> address = stackalloc byte[16];
        int length = network.BaseAddress.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? 4 : 16;
        address = address[..length];
        network.BaseAddress.TryWriteBytes(address, out _);
        int hostBits = length * 8 - network.PrefixLength;   // ≤ 24 for IPv4, ≤ 80 for IPv6 (validated)
        // Host part in [1, 2^hostBits − 2] for IPv4 (no network/broadcast), [1, 2^hostBits − 1] for IPv6 (no all-zero id).
        UInt128 space = (UInt128.One << hostBits) - (length == 4 ? 2u : 1u);
        UInt128 host = BinaryPrimitives.ReadUInt128BigEndian(digest) % space + 1;
        for (int i = length - 1; i >= 0 && host != 0; i--, host >>= 8) address[i] |= (byte)host;
        return new IPAddress(address);
    }

    private static Dictionary<string, IPAddress> Resolve(
        SortedDictionary<byte[], string> keys,
        Func<byte[], uint, IPAddress> candidate,
        List<AddressCollision> collisions,
        SortedSet<string> unassigned)
    {
        var taken = new Dictionary<IPAddress, string>();
        var result = new Dictionary<string, IPAddress>(StringComparer.Ordinal);
        var pending = keys.ToDictionary(kv => kv.Key, _ => 0u, ByteOrder.Instance);
        for (int round = 0; pending.Count > 0; round++)
        {
            if (round >= MaxRounds)
            {
                // Only possible when the subnet is (nearly) full: report rather than loop.
                foreach (var key in pending.Keys) unassigned.Add(keys[key]);
                break;
            }
            var proposals = pending
                .Select(p => (Key: p.Key, Address: candidate(p.Key, p.Value)))
                .GroupBy(p => p.Address)
                .ToList();
            var next = new Dictionary<byte[], uint>(ByteOrder.Instance);
            foreach (var group in proposals)
            {
                var contenders = group.Select(g => g.Key).OrderBy(k => k, ByteOrder.Instance).ToList();
                bool alreadyTaken = taken.TryGetValue(group.Key, out var holder);
                if (alreadyTaken || contenders.Count > 1)
                {
                    var names = contenders.Select(k => keys[k]).ToList();
                    if (alreadyTaken) names.Insert(0, holder!);
                    collisions.Add(new AddressCollision(group.Key.ToString(), [.. names], alreadyTaken ? holder! : names[0]));
                }
                int firstLoser = 0;
                if (!alreadyTaken)
                {
                    var winner = contenders[0];
                    taken[group.Key] = keys[winner];
                    result[keys[winner]] = group.Key;
                    firstLoser = 1;
                }
                for (int i = firstLoser; i < contenders.Count; i++) next[contenders[i]] = pending[contenders[i]] + 1;
            }
            pending = next;
        }
        return result;
    }

    private sealed class ByteOrder : IComparer<byte[]>, IEqualityComparer<byte[]>
    {
        public static ByteOrder Instance { get; } = new();
        public int Compare(byte[]? x, byte[]? y) => x.AsSpan().SequenceCompareTo(y);
        public bool Equals(byte[]? x, byte[]? y) => x.AsSpan().SequenceEqual(y);
        public int GetHashCode(byte[] obj)
        {
            var h = new HashCode();
            h.AddBytes(obj);
            return h.ToHashCode();
        }
    }
}
