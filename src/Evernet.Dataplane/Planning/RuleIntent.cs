using Evernet.Dataplane.State;

namespace Evernet.Dataplane.Planning;

/// <summary>A policy rule evernet wants: <c>[from SOURCE] [fwmark MARK] lookup TABLE priority PRIORITY</c>.</summary>
internal sealed record RuleIntent(IpFamily Family, int Priority, IpPrefix? Source, uint? Mark, int Table)
{
    public bool Matches(InstalledRule installed) =>
        installed.Family.ToIpFamily() == Family
        && installed.Priority == Priority
        && installed.Source == Source
        && installed.FirewallMark == Mark
        && installed.FirewallMask is null or 0xFFFF_FFFF
        && installed.Table == Table;
}
