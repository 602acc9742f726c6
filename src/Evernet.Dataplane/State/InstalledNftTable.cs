using System.Collections.Immutable;

namespace Evernet.Dataplane.State;

/// <summary>
/// An nftables table reduced to what decides whether it must be rewritten: the ordered (chain, comment) of its rules.
/// Evernet tags each rule with a comment holding a hash of its text and its chain's definition.
/// </summary>
internal sealed record InstalledNftTable(bool Exists, ImmutableArray<NftRuleSignature> Rules)
{
    public static InstalledNftTable Absent { get; } = new(false, []);
}

internal readonly record struct NftRuleSignature(string Chain, string? Comment);
