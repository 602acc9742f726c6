using System.CommandLine;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Evernet.Control.Client;
using Evernet.Control.Dtos;
using Evernet.Control.Protocol;
using Evernet.Ctl.Output;

namespace Evernet.Ctl.Daemon;

/// <summary>The commands that ask a running evernetd over its control socket.</summary>
internal static class DaemonCommands
{
    public static IEnumerable<Command> Create(Terminal terminal)
    {
        yield return Query("status", "This node, membership and every gateway; exits 1 when no gateway is usable",
            (client, ct) => client.GetStatusAsync(ct), ControlJsonContext.Default.StatusData, terminal,
            (status, t) => StatusView.Render(status, t),
            status => status.Gateways.Any(g => g.Usable) ? ExitCodes.Ok : ExitCodes.Degraded);

        yield return Query("members", "Every member of the mesh and its state",
            (client, ct) => client.GetMembersAsync(ct), ControlJsonContext.Default.MembersData, terminal,
            MembersView.Render, _ => ExitCodes.Ok);

        yield return Query("gateways", "Everything this node knows about each gateway",
            (client, ct) => client.GetGatewaysAsync(ct), ControlJsonContext.Default.GatewaysData, terminal,
            (data, t) => GatewaysView.Render(data.Gateways, t), _ => ExitCodes.Ok);

        yield return Query("routes", "The installed multipath routes: weights as installed vs as the policy wants",
            (client, ct) => client.GetRoutesAsync(ct), ControlJsonContext.Default.RoutesData, terminal,
            RoutesView.Render, _ => ExitCodes.Ok);

        yield return Events(terminal);

        yield return Query("metrics", "The daemon's Prometheus metrics (text exposition format)",
            (client, ct) => client.GetMetricsAsync(ct), ControlJsonContext.Default.MetricsData, terminal,
            (data, _) => [data.Text.TrimEnd('\n')], _ => ExitCodes.Ok);

        yield return Query("reload-certificate", "Make evernetd re-read its certificate file (renewal without restart)",
            (client, ct) => client.ReloadCertificateAsync(ct), ControlJsonContext.Default.CertificateReloadData, terminal,
            (data, _) => [$"using certificate serial {data.Serial} for {data.Name}, valid until {Format.UnixSeconds(data.NotAfterUnixSeconds)}"
                + (data.Changed ? "" : " (unchanged)")], _ => ExitCodes.Ok);

        yield return Query("drain", "Gateway only: ask every node to move new flows to other gateways",
            (client, ct) => client.SetDrainingAsync(true, ct), ControlJsonContext.Default.DrainData, terminal,
            (data, _) => [data.Draining ? "draining" : "not draining"], _ => ExitCodes.Ok);

        yield return Query("undrain", "Gateway only: take new flows again",
            (client, ct) => client.SetDrainingAsync(false, ct), ControlJsonContext.Default.DrainData, terminal,
            (data, _) => [data.Draining ? "draining" : "not draining"], _ => ExitCodes.Ok);
    }

    public static Option<string> SocketOption() => new("--socket")
    {
        Description = $"Path of evernetd's control socket (default {ControlProtocol.DefaultSocketPath}, or $EVERNET_SOCKET)",
        HelpName = "PATH",
        DefaultValueFactory = _ => Environment.GetEnvironmentVariable("EVERNET_SOCKET") is { Length: > 0 } path ? path : ControlProtocol.DefaultSocketPath,
    };

    public static Option<bool> JsonOption() => new("--json")
    {
        Description = "Print the daemon's answer as JSON (stable field names, see docs/control-protocol.md)",
    };

    /// <summary>Runs one control request, mapping every failure to a message on stderr and an exit code.</summary>
    public static async Task<int> WithClientAsync(string socketPath, Terminal terminal, Func<ControlClient, Task<int>> action)
    {
        try
        {
            return await action(new ControlClient(socketPath)).ConfigureAwait(false);
        }
        catch (ControlClientException ex)
        {
            await terminal.Error.WriteLineAsync("evernetctl: " + ex.Message).ConfigureAwait(false);
            return ex.Failure == ControlFailure.CommandFailed ? ExitCodes.Refused : ExitCodes.Unreachable;
        }
    }

    public static async Task WriteJsonAsync<T>(Terminal terminal, T value, JsonTypeInfo<T> type)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
            JsonSerializer.Serialize(writer, value, type);
        await terminal.Out.WriteLineAsync(Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length)).ConfigureAwait(false);
    }

    private static Command Query<T>(
        string name,
        string description,
        Func<ControlClient, CancellationToken, Task<T>> ask,
        JsonTypeInfo<T> type,
        Terminal terminal,
        Func<T, Terminal, IEnumerable<string>> render,
        Func<T, int> exitCode)
    {
        var socket = SocketOption();
        var json = JsonOption();
        var command = new Command(name, description) { socket, json };
        command.SetAction((parse, ct) => WithClientAsync(parse.GetValue(socket)!, terminal, async client =>
        {
            T data = await ask(client, ct).ConfigureAwait(false);
            if (parse.GetValue(json)) await WriteJsonAsync(terminal, data, type).ConfigureAwait(false);
            else foreach (string line in render(data, terminal)) await terminal.Out.WriteLineAsync(line).ConfigureAwait(false);
            return exitCode(data);
        }));
        return command;
    }

    private static Command Events(Terminal terminal)
    {
        var socket = SocketOption();
        var json = JsonOption();
        var limit = Options.BoundedInt("--limit", "Show at most this many of the newest events", 0, 100_000, 50, "N", "-n");
        var command = new Command("events", "Recent membership, gateway and rejection events, oldest first") { socket, json, limit };
        command.SetAction((parse, ct) => WithClientAsync(parse.GetValue(socket)!, terminal, async client =>
        {
            var data = await client.GetEventsAsync(new EventsArgs(parse.GetValue(limit)), ct).ConfigureAwait(false);
            if (parse.GetValue(json)) await WriteJsonAsync(terminal, data, ControlJsonContext.Default.EventsData).ConfigureAwait(false);
            else foreach (string line in EventsView.Render(data, terminal)) await terminal.Out.WriteLineAsync(line).ConfigureAwait(false);
            return ExitCodes.Ok;
        }));
        return command;
    }
}
