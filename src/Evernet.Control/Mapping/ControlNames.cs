using System.Text;
using Evernet.Gossip.Records;
using Evernet.Gossip.View;

namespace Evernet.Control.Mapping;

/// <summary>The stable, documented text for each core enum value as it appears in the protocol, tables and metric labels.</summary>
public static class ControlNames
{
    public static string Of(MemberState state) => state switch
    {
        MemberState.Alive => "alive",
        MemberState.Suspect => "suspect",
        MemberState.Dead => "dead",
        MemberState.Left => "left",
        _ => Kebab(state.ToString()),
    };

    public static string Of(UplinkState state) => state switch
    {
        UplinkState.Up => "up",
        UplinkState.Degraded => "degraded",
        UplinkState.Down => "down",
        _ => Kebab(state.ToString()),
    };

    public static string Of(UsabilityReason reason) => reason switch
    {
        UsabilityReason.Usable => "usable",
        UsabilityReason.NoSummaryYet => "no-summary-yet",
        UsabilityReason.Unreachable => "unreachable",
        UsabilityReason.UplinkDown => "uplink-down",
        UsabilityReason.Dead => "dead",
        UsabilityReason.Left => "left",
        UsabilityReason.Revoked => "revoked",
        _ => Kebab(reason.ToString()),
    };

    public static string Of(TunnelState state) => state switch
    {
        TunnelState.Up => "up",
        TunnelState.Down => "down",
        TunnelState.Missing => "missing",
        _ => Kebab(state.ToString()),
    };

    public static string Of(RouteMode mode) => mode switch
    {
        RouteMode.Resilient => "resilient",
        RouteMode.CtMark => "ctmark",
        _ => Kebab(mode.ToString()),
    };

    /// <summary>Reject reasons in snake_case (they are metric label values): "bad_signature", "unknown_sender", ...</summary>
    public static string Of(RejectReason reason) => Snake(reason.ToString());

    public static string Of(Gossip.Wire.DecodeError error) => Snake(error.ToString());

    private static string Kebab(string pascal) => Separate(pascal, '-');
    private static string Snake(string pascal) => Separate(pascal, '_');

    private static string Separate(string pascal, char separator)
    {
        var text = new StringBuilder(pascal.Length + 4);
        for (int i = 0; i < pascal.Length; i++)
        {
            char c = pascal[i];
            if (char.IsUpper(c) && i > 0) text.Append(separator);
            text.Append(char.ToLowerInvariant(c));
        }
        return text.ToString();
    }
}
