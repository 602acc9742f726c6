using System.Formats.Tar;
using System.Globalization;
using System.IO.Compression;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Evernet.Control.Dtos;
using Evernet.Control.Protocol;

namespace Evernet.Daemon.Web;

/// <summary>A diagnostics bundle ready to send: a .tar.gz built in memory.</summary>
public sealed record DiagnosticsFile(string FileName, byte[] Content);

/// <summary>
/// Everything an operator would paste into a bug report, in one .tar.gz: the answer of every read-only control command
/// (the JSON evernetctl --json prints), the metrics text, the gateway history, and a plain-text summary.
/// A command that fails is recorded in errors.txt; the rest of the bundle is still built.
/// </summary>
public static class DiagnosticsBundle
{
    public const int EventLimit = 1000;

    public static async Task<DiagnosticsFile> BuildAsync(ControlCalls calls, GatewayHistory history, TimeProvider time, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(calls);
        ArgumentNullException.ThrowIfNull(history);
        ArgumentNullException.ThrowIfNull(time);
        var status = calls.CallAsync<StatusData>("status", (h, ct) => h.GetStatusAsync(ct), cancellationToken);
        var members = calls.CallAsync<MembersData>("members", (h, ct) => h.GetMembersAsync(ct), cancellationToken);
        var gateways = calls.CallAsync<GatewaysData>("gateways", (h, ct) => h.GetGatewaysAsync(ct), cancellationToken);
        var routes = calls.CallAsync<RoutesData>("routes", (h, ct) => h.GetRoutesAsync(ct), cancellationToken);
        var events = calls.CallAsync<EventsData>("events", (h, ct) => h.GetEventsAsync(new EventsArgs(EventLimit), ct), cancellationToken);
        var metrics = calls.CallAsync<MetricsData>("metrics", (h, ct) => h.GetMetricsAsync(ct), cancellationToken);
        await Task.WhenAll(status, members, gateways, routes, events, metrics).ConfigureAwait(false);

        var now = time.GetUtcNow();
        var files = new List<(string Name, byte[] Content)>();
        var errors = new List<string>();
        Add(status.Result, "status.json", ControlJsonContext.Default.StatusData);
        Add(members.Result, "members.json", ControlJsonContext.Default.MembersData);
        Add(gateways.Result, "gateways.json", ControlJsonContext.Default.GatewaysData);
        Add(routes.Result, "routes.json", ControlJsonContext.Default.RoutesData);
        Add(events.Result, "events.json", ControlJsonContext.Default.EventsData);
        if (metrics.Result.Value is { } m) files.Add(("metrics.txt", Encoding.UTF8.GetBytes(m.Text)));
        else errors.Add(metrics.Result.Error!);
        files.Add(("gateway-history.json", Json(history.Snapshot(), WebJsonContext.Default.GatewayHistoryData)));
        files.Add(("summary.txt", Encoding.UTF8.GetBytes(Summary(now, status.Result.Value, members.Result.Value, routes.Result.Value, events.Result.Value, errors))));
        if (errors.Count > 0) files.Add(("errors.txt", Encoding.UTF8.GetBytes(string.Join('\n', errors) + "\n")));

        string node = SafeName(status.Result.Value?.Node.Name ?? "node");
        string stamp = now.UtcDateTime.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);
        string folder = $"evernet-diagnostics-{node}-{stamp}";
        return new DiagnosticsFile(folder + ".tar.gz", Pack(folder, files, now));

        void Add<T>(CallResult<T> result, string name, JsonTypeInfo<T> type) where T : class
        {
            if (result.Value is { } value) files.Add((name, Json(value, type)));
            else errors.Add(result.Error!);
        }
    }

    private static byte[] Pack(string folder, List<(string Name, byte[] Content)> files, DateTimeOffset now)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Optimal, leaveOpen: true))
        using (var tar = new TarWriter(gzip, TarEntryFormat.Pax, leaveOpen: true))
        {
            foreach (var (name, content) in files)
            {
                var entry = new PaxTarEntry(TarEntryType.RegularFile, $"{folder}/{name}")
                {
                    DataStream = new MemoryStream(content, writable: false),
                    Mode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead,
                    ModificationTime = now,
                };
                tar.WriteEntry(entry);
            }
        }
        return output.ToArray();
    }

    private static byte[] Json<T>(T value, JsonTypeInfo<T> type)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
            JsonSerializer.Serialize(writer, value, type);
        buffer.WriteByte((byte)'\n');
        return buffer.ToArray();
    }

    private static string Summary(DateTimeOffset now, StatusData? status, MembersData? members, RoutesData? routes, EventsData? events, List<string> errors)
    {
        var text = new StringBuilder();
        var c = CultureInfo.InvariantCulture;
        text.Append(c, $"Evernet diagnostics, taken {now.UtcDateTime:yyyy-MM-dd HH:mm:ss} UTC\n\n");
        if (status is not null)
        {
            var n = status.Node;
            text.Append(c, $"node      {n.Name} ({string.Join(',', n.Roles)}), id {n.Fingerprint}, version {n.Version}, up {n.UptimeSeconds:0} s, incarnation {n.Incarnation}{(n.Draining ? ", DRAINING" : "")}\n");
            var m = status.Membership;
            text.Append(c, $"members   {m.Alive} alive, {m.Suspect} suspect, {m.Dead} dead, {m.Left} left\n");
            text.Append(c, $"gateways  {status.UsableGateways} of {status.Gateways.Count} usable\n\n");
            text.Append("gateway               usable  reason          uplink    loss%   rtt ms  load%   weight share%  tunnel\n");
            foreach (var g in status.Gateways)
            {
                text.Append(c, $"{g.Name,-21} {(g.Usable ? "yes" : "no"),-7} {g.Reason,-15} {g.Uplink ?? "-",-9} {Num(g.UplinkLossPercent),7} {Num(g.UplinkRttMs),8} {Num(g.LoadPercent),6} {g.Weight,7} {g.SharePercent,6:0.#}  {g.TunnelInterface ?? "-"} {g.TunnelState ?? ""}{(g.Draining ? " draining" : "")}\n");
            }
            text.Append('\n');
        }
        if (members is not null)
        {
            text.Append("members\n");
            foreach (var m in members.Members)
                text.Append(c, $"  {m.Name,-21} {m.State,-8} {string.Join(',', m.Roles),-13} since {m.SinceSeconds:0} s  {string.Join(' ', m.Addresses)}\n");
            text.Append('\n');
        }
        if (routes is not null)
        {
            foreach (var t in routes.Tables)
            {
                text.Append(c, $"route table {t.Name} ({t.Table}, {t.Mode}){(t.InSync ? "" : " NOT IN SYNC")}\n");
                foreach (var h in t.Nexthops)
                    text.Append(c, $"  {h.Gateway,-21} {h.Interface,-15} installed {Num(h.InstalledWeight),5} desired {Num(h.DesiredWeight),5}\n");
            }
            text.Append('\n');
        }
        if (events is not null)
        {
            text.Append("newest events\n");
            foreach (var e in events.Events.TakeLast(50)) text.Append(c, $"  {e.At}  {e.Kind,-17} {e.Subject,-21} {e.Detail}\n");
            text.Append('\n');
        }
        foreach (string error in errors) text.Append("error: ").Append(error).Append('\n');
        return text.ToString();
    }

    private static string Num(double? value) => value is { } v ? v.ToString("0.##", CultureInfo.InvariantCulture) : "-";

    private static string Num(int? value) => value is { } v ? v.ToString(CultureInfo.InvariantCulture) : "-";

    private static string SafeName(string name)
    {
        var safe = new StringBuilder(Math.Min(name.Length, 48));
        foreach (char ch in name.Take(48)) safe.Append(char.IsAsciiLetterOrDigit(ch) || ch is '-' or '_' or '.' ? ch : '_');
        return safe.Length == 0 ? "node" : safe.ToString();
    }
}
