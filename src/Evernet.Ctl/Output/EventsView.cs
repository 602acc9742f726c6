using Evernet.Control.Dtos;

namespace Evernet.Ctl.Output;

/// <summary>`evernetctl events`: one line per event, oldest first.</summary>
internal static class EventsView
{
    public static IEnumerable<string> Render(EventsData events, Terminal terminal)
    {
        if (events.Events.Count == 0)
        {
            yield return "no events";
            yield break;
        }
        foreach (var e in events.Events)
        {
            string kind = e.Kind.PadRight(17);
            string painted = e.Kind switch
            {
                "rejected" => terminal.Yellow(kind),
                "gateway-usability" or "failover" => terminal.Bold(kind),
                _ => kind,
            };
            yield return $"{terminal.Dim(e.At)}  {painted} {e.Subject}: {e.Detail}";
        }
    }
}
