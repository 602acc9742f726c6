using Evernet.Dataplane;
using Evernet.Dataplane.Commands;
using Evernet.Integration.Tests.Infrastructure;

namespace Evernet.Integration.Tests.Dataplane;

/// <summary>A missing program is a typed error in the result and the status, never an exception or a half-built state.</summary>
public sealed class MissingBinaryTests : IDisposable
{
    private readonly DirectoryInfo _bin = Directory.CreateTempSubdirectory("evernet-dp-bin-");

    [DataplaneFact]
    public async Task Apply_without_wg_in_path_fails_with_a_typed_error_and_changes_nothing()
    {
        using var lab = GatewayLab.Create("mb");

        // A PATH with everything the dataplane uses except wg.
        foreach (var program in new[] { "ip", "nft", "sysctl", "wireguard-go" })
        {
            var target = new ExecutableLocator(Environment.GetEnvironmentVariable("PATH") ?? "/usr/sbin:/usr/bin").Locate(program);
            Assert.NotNull(target);
            File.CreateSymbolicLink(Path.Combine(_bin.FullName, program), target);
        }

        var applier = new DataplaneApplier(new ProcessCommandRunner(lab.Router.Name, searchPath: _bin.FullName));
        var result = await applier.ApplyAsync(lab.Desired());

        Assert.False(result.Succeeded);
        var error = Assert.Single(result.Errors);
        Assert.Equal(DataplaneErrorKind.MissingBinary, error.Kind);
        Assert.Equal("`wg` not found in PATH: install wireguard-tools", error.Message);
        Assert.Equal(0, result.Mutations);
        Assert.Equal(DataplaneHealth.Failed, applier.Status.Health);
        Assert.Equal(error, applier.Status.LastError);
        Assert.Equal(1, applier.Status.ErrorCount);
        Assert.DoesNotContain(
            lab.Router.ExecJson("ip", "-j", "link", "show").EnumerateArray(),
            l => l.GetProperty("ifname").GetString() == lab.Tunnels[0].RouterInterface);
    }

    [Fact]
    public async Task Runner_reports_a_missing_program_as_MissingBinaryException()
    {
        var runner = new ProcessCommandRunner(searchPath: _bin.FullName);

        Assert.False(runner.CanRun("nft"));
        var exception = await Assert.ThrowsAsync<MissingBinaryException>(() => runner.RunAsync(Command.Read("nft", "list", "ruleset"), CancellationToken.None));
        Assert.Equal("`nft` not found in PATH: install nftables", exception.Message);
        Assert.Equal(DataplaneErrorKind.MissingBinary, exception.Kind);
    }

    [Fact]
    public async Task Runner_kills_a_hung_program_and_reports_a_timeout()
    {
        var runner = new ProcessCommandRunner(timeout: TimeSpan.FromMilliseconds(300));

        var exception = await Assert.ThrowsAsync<CommandTimeoutException>(() => runner.RunAsync(Command.Read("sleep", "30"), CancellationToken.None));
        Assert.Equal(DataplaneErrorKind.CommandTimeout, exception.Kind);
    }

    [Fact]
    public async Task Runner_passes_arguments_verbatim_and_captures_output_and_exit_code()
    {
        var runner = new ProcessCommandRunner();

        var result = await runner.RunAsync(Command.Read("printf", "%s|", "a b", "$(x)", "'q'"), CancellationToken.None);
        Assert.Equal(0, result.ExitCode);
        Assert.Equal("a b|$(x)|'q'|", result.StandardOutput);

        var failed = await runner.RunAsync(Command.Read("ls", "/nonexistent-evernet"), CancellationToken.None);
        Assert.NotEqual(0, failed.ExitCode);
        Assert.Contains("nonexistent-evernet", failed.StandardError);

        var echoed = await runner.RunAsync(Command.Read("cat") with { StandardInput = "line\n" }, CancellationToken.None);
        Assert.Equal("line\n", echoed.StandardOutput);
    }

    public void Dispose() => _bin.Delete(recursive: true);
}
