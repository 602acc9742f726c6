using Evernet.Dataplane;
using Evernet.Dataplane.Commands;
using Xunit.Abstractions;

namespace Evernet.Integration.Tests.Dataplane;

/// <summary>Applying what is already installed issues no changing command — also from a fresh applier (daemon restart).</summary>
public sealed class IdempotencyTests(ITestOutputHelper output)
{
    private static readonly string[] MutatingWords = ["add", "replace", "del", "set", "-f", "-w", "remove", "flush"];

    [DataplaneFact]
    public async Task Applying_the_same_state_twice_issues_only_reads_the_second_time()
    {
        using var lab = GatewayLab.Create("id");
        var desired = lab.Desired(2, 3, [lab.VoiceClass()]);
        var recorder = new RecordingCommandRunner(lab.RouterRunner());
        var applier = new DataplaneApplier(recorder);
        var first = await applier.ApplyAsync(desired);
        Assert.True(first.Succeeded, string.Join("; ", first.Errors.Select(static e => e.Message)));
        Assert.Contains(recorder.Recorded, static r => r.Command.Program == "nft" && r.Command.Kind == CommandKind.Mutate);
        recorder.Clear();

        var second = await applier.ApplyAsync(desired);

        Assert.True(second.Succeeded);
        Assert.Equal(0, second.Mutations);
        AssertOnlyReads(recorder);
        output.WriteLine($"no-op apply: {second.Duration.TotalMilliseconds:0.0} ms, {second.Commands} reads");

        // A restarted daemon finds everything in place (ids, slots and key fingerprints are all read back).
        var restartedRecorder = new RecordingCommandRunner(lab.RouterRunner());
        var restarted = new DataplaneApplier(restartedRecorder);
        var afterRestart = await restarted.ApplyAsync(desired);
        Assert.True(afterRestart.Succeeded);
        Assert.Equal(0, afterRestart.Mutations);
        Assert.DoesNotContain(restartedRecorder.Recorded, static r => r.Command.Kind == CommandKind.Mutate);
        Assert.Equal(WireGuardImplementation.WireGuardGo, restarted.Status.WireGuard);
        Assert.True(lab.PingFromClient());
    }

    private static void AssertOnlyReads(RecordingCommandRunner recorder)
    {
        Assert.NotEmpty(recorder.Recorded);
        foreach (var recorded in recorder.Recorded)
        {
            Assert.Equal(CommandKind.Read, recorded.Command.Kind);

            // Independent of the Kind tag: no verb that changes anything.
            Assert.DoesNotContain(recorded.Command.Arguments, static a => MutatingWords.Contains(a));
            Assert.NotEqual("wireguard-go", recorded.Command.Program);
        }
    }
}
