using Evernet.Dataplane;

namespace Evernet.Integration.Tests.Dataplane;

/// <summary>By default nothing is removed; an explicit teardown removes exactly what evernet owns.</summary>
public sealed class TeardownTests
{
    [DataplaneFact]
    public async Task Teardown_removes_everything_evernet_owns_and_nothing_else()
    {
        using var lab = GatewayLab.Create("td");
        var foreignRule = lab.Router.Exec("ip", "rule", "add", "priority", "5000", "from", "192.0.2.0/24", "lookup", "main");
        Assert.Equal(0, foreignRule.ExitCode);
        var applier = new DataplaneApplier(lab.RouterRunner());
        Assert.True((await applier.ApplyAsync(lab.Desired(1, 1, [lab.VoiceClass()]))).Succeeded);
        var socket = $"/var/run/wireguard/{lab.Tunnels[0].RouterInterface}.sock";
        Assert.True(File.Exists(socket));

        // "Shutdown" is doing nothing: a new applier (restarted daemon) sees it all still in place.
        Assert.Equal(0, (await new DataplaneApplier(lab.RouterRunner()).ApplyAsync(lab.Desired(1, 1, [lab.VoiceClass()]))).Mutations);

        var result = await applier.TeardownAsync();

        Assert.True(result.Succeeded, string.Join("; ", result.Errors.Select(static e => e.Message)));
        Assert.NotEqual(0, lab.Router.TryExec("nft", "list", "table", "inet", "evernet").ExitCode);
        Assert.Empty(lab.RouterNexthops().EnumerateArray());
        Assert.Empty(lab.Router.Exec("ip", "route", "show", "table", "all", "proto", "77").StandardOutput.Trim());
        var rules = lab.Router.Exec("ip", "rule", "show").StandardOutput;
        Assert.DoesNotContain("proto 77", rules);
        Assert.Contains("from 192.0.2.0/24 lookup main", rules);
        foreach (var tunnel in lab.Tunnels)
        {
            Assert.NotEqual(0, lab.Router.TryExec("ip", "link", "show", "dev", tunnel.RouterInterface).ExitCode);
        }

        // wireguard-go noticed its device vanish and exited, removing its socket.
        var deadline = DateTime.UtcNow.AddSeconds(3);
        while (File.Exists(socket) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
        }

        Assert.False(File.Exists(socket));
        Assert.Null(applier.LastDesired);
        Assert.Equal(0, (await applier.ReconcileAsync()).Mutations);
    }

    [DataplaneFact]
    public async Task Gateway_forwarding_is_idempotent_and_masquerades_towards_the_wan()
    {
        using var lab = GatewayLab.Create("gf");
        var gateway = lab.Tunnels[0];
        var forwarding = new GatewayForwarding(new Evernet.Dataplane.Commands.ProcessCommandRunner(gateway.Gateway.Name));

        // The lab already applied it once while building the gateway.
        var again = await forwarding.ApplyAsync(new GatewayForwardingSpec("wan", [gateway.GatewayInterface]));

        Assert.True(again.Succeeded);
        Assert.Equal(0, again.Mutations);
        var table = gateway.Gateway.Exec("nft", "list", "table", "inet", "evernet_gw").StandardOutput;
        Assert.Contains($"iifname \"{gateway.GatewayInterface}\" oifname \"wan\" masquerade", table);
        Assert.Equal("1", gateway.Gateway.Exec("sysctl", "-n", "net.ipv4.ip_forward").StandardOutput.Trim());

        var teardown = await forwarding.TeardownAsync();
        Assert.True(teardown.Succeeded);
        Assert.NotEqual(0, gateway.Gateway.TryExec("nft", "list", "table", "inet", "evernet_gw").ExitCode);
    }
}
