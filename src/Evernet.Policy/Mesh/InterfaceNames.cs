using System.Collections.Immutable;
using Evernet.Gossip.Identity;

namespace Evernet.Policy;

/// <summary>
/// Deterministic Linux interface names for per-gateway tunnels: prefix + as many hex digits of the gateway's id as fit
/// in 15 characters (IFNAMSIZ − 1). The name depends on the gateway alone, so it never changes when other gateways come
/// or go; only if two gateways share the whole visible prefix (about one in 2^40 with the default prefix) does the
/// bytewise-higher id get its last digit replaced, the same way on every node.
/// </summary>
public static class InterfaceNames
{
    public const int MaxLength = 15;
    public const int MinSuffixLength = 6;

    public static bool IsValidName(string? name) =>
        !string.IsNullOrEmpty(name) && name.Length <= MaxLength && name != "." && name != ".."
        && name.All(c => c is (>= 'a' and <= 'z') or (>= 'A' and <= 'Z') or (>= '0' and <= '9') or '_' or '-' or '.');

    public static ImmutableSortedDictionary<NodeId, string> ForGateways(IEnumerable<NodeId> gateways, string prefix)
    {
        int digits = MaxLength - prefix.Length;
        var byName = new SortedDictionary<string, List<NodeId>>(StringComparer.Ordinal);
        foreach (var id in gateways.Distinct().Order())
        {
            string name = prefix + id.ToHex()[..digits];
            if (!byName.TryGetValue(name, out var list)) byName[name] = list = [];
            list.Add(id);
        }
        var taken = new HashSet<string>(byName.Keys, StringComparer.Ordinal);
        var result = ImmutableSortedDictionary.CreateBuilder<NodeId, string>();
        foreach (var (name, ids) in byName)
        {
            result[ids[0]] = name;
            const string alphabet = "ghijklmnopqrstuvwxyz0123456789abcdef";
            int next = 0;
            for (int i = 1; i < ids.Count; i++)
            {
                string candidate;
                do candidate = name[..^1] + alphabet[next++ % alphabet.Length];
                while (!taken.Add(candidate) && next < alphabet.Length * 2);
                result[ids[i]] = candidate;
            }
        }
        return result.ToImmutable();
    }
}
