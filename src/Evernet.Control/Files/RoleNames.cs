using System.Diagnostics.CodeAnalysis;
using Evernet.Gossip.Identity;

namespace Evernet.Control;

/// <summary>The textual role names ("node", "gateway") used in files, the protocol and on the command line.</summary>
public static class RoleNames
{
    public const string Node = "node";
    public const string Gateway = "gateway";

    public static IReadOnlyList<string> Format(NodeRoles roles)
    {
        var names = new List<string>(2);
        if ((roles & NodeRoles.Node) != 0) names.Add(Node);
        if ((roles & NodeRoles.Gateway) != 0) names.Add(Gateway);
        return names;
    }

    public static bool TryParse(IEnumerable<string>? names, out NodeRoles roles, [NotNullWhen(false)] out string? error)
    {
        roles = NodeRoles.None;
        error = null;
        if (names is null)
        {
            error = "missing";
            return false;
        }
        foreach (string raw in names)
        {
            string name = raw?.Trim().ToLowerInvariant() ?? "";
            switch (name)
            {
                case Node: roles |= NodeRoles.Node; break;
                case Gateway: roles |= NodeRoles.Gateway; break;
                default:
                    error = $"unknown role '{raw}' (known: {Node}, {Gateway})";
                    return false;
            }
        }
        if (roles == NodeRoles.None)
        {
            error = "at least one role is needed";
            return false;
        }
        return true;
    }

    /// <summary>"node,gateway" as typed on a command line.</summary>
    public static bool TryParse(string commaSeparated, out NodeRoles roles, [NotNullWhen(false)] out string? error) =>
        TryParse(commaSeparated.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries), out roles, out error);
}
