using System.Collections.Immutable;
using System.Security.Cryptography;
using System.Text;
using Evernet.Dataplane.Commands;
using Evernet.Dataplane.State;

namespace Evernet.Dataplane.Planning;

/// <summary>One chain: <see cref="BaseDefinition"/> is the "type ... hook ... priority ...; policy ...;" line of a base chain, null for a regular one.</summary>
internal sealed record NftChainSpec(string Name, string? BaseDefinition, ImmutableArray<string> Rules);

/// <summary>
/// An nftables table evernet owns outright. It is always written whole, in one atomic transaction, and every rule carries
/// a comment with a hash of its chain and text: comparing the installed (chain, comment) lists with the desired ones
/// detects any drift (deleted rule, changed rule, missing chain) without parsing nftables' normalised rule syntax.
/// Chains must be listed after the chains they jump to.
/// </summary>
internal sealed record NftTableSpec(string Family, string Name, ImmutableArray<NftChainSpec> Chains)
{
    public const string CommentPrefix = "evernet:";

    public static string CommentFor(NftChainSpec chain, string rule)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes($"{chain.Name}\n{chain.BaseDefinition}\n{rule}"));
        return CommentPrefix + Convert.ToHexStringLower(hash.AsSpan(0, 8));
    }

    /// <summary>Whether the installed table is exactly this one (per chain, same comments in the same order).</summary>
    public bool IsInstalledAs(InstalledNftTable installed)
    {
        if (!installed.Exists)
        {
            return false;
        }

        var installedByChain = installed.Rules.GroupBy(static r => r.Chain)
            .ToDictionary(static g => g.Key, static g => g.Select(static r => r.Comment).ToArray(), StringComparer.Ordinal);
        if (installedByChain.Count != Chains.Count(static c => !c.Rules.IsEmpty))
        {
            return false;
        }

        foreach (var chain in Chains.Where(static c => !c.Rules.IsEmpty))
        {
            if (!installedByChain.TryGetValue(chain.Name, out var comments)
                || !comments.SequenceEqual(chain.Rules.Select(rule => (string?)CommentFor(chain, rule))))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Script that replaces the table atomically: create-if-missing, delete, define, all in one nft transaction.</summary>
    public string RenderReplaceScript()
    {
        var builder = new StringBuilder();
        builder.Append("table ").Append(Family).Append(' ').Append(Name).Append('\n');
        builder.Append("delete table ").Append(Family).Append(' ').Append(Name).Append('\n');
        builder.Append("table ").Append(Family).Append(' ').Append(Name).Append(" {\n");
        foreach (var chain in Chains)
        {
            builder.Append("\tchain ").Append(chain.Name).Append(" {\n");
            if (chain.BaseDefinition is not null)
            {
                builder.Append("\t\t").Append(chain.BaseDefinition).Append('\n');
            }

            foreach (var rule in chain.Rules)
            {
                builder.Append("\t\t").Append(rule).Append(" comment \"").Append(CommentFor(chain, rule)).Append("\"\n");
            }

            builder.Append("\t}\n");
        }

        builder.Append("}\n");
        return builder.ToString();
    }

    public Command ReplaceCommand() =>
        Command.Mutate(DataplaneBinaries.Nft, "-f", "-") with { StandardInput = RenderReplaceScript() };

    public static Command DeleteCommand(string family, string name) => Command.Mutate(DataplaneBinaries.Nft, "delete", "table", family, name);
}
