using System.Runtime.Versioning;
using System.Diagnostics;
using Evernet.Daemon.State;

namespace Evernet.Integration.Tests.State;

[UnsupportedOSPlatform("windows")]
public sealed class StateDirectoryTests
{
    private const UnixFileMode Secret = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    [Fact]
    public void First_start_creates_the_directory_and_keys_with_private_modes()
    {
        using var temp = new TempDirectory();
        var path = temp.File("state");
        var state = StateDirectory.Open(path);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(path));

        var (key, created) = state.LoadOrCreateNodeKey();
        Assert.True(created);
        Assert.Equal(Secret, File.GetUnixFileMode(state.NodeKeyPath));
        var line = File.ReadAllText(state.NodeKeyPath);
        Assert.EndsWith("\n", line);
        Assert.Equal(32, Convert.FromBase64String(line.Trim()).Length);
        // The version file exists before the key does, so a crash right after cannot look like a lost ceiling.
        Assert.True(File.Exists(state.VersionPath));

        var (again, createdAgain) = StateDirectory.Open(path).LoadOrCreateNodeKey();
        Assert.False(createdAgain);
        Assert.Equal(key.Id, again.Id);
    }

    [Fact]
    public void WireGuard_key_is_what_wg_expects_and_its_public_half_matches_wg_pubkey()
    {
        using var temp = new TempDirectory();
        var state = StateDirectory.Open(temp.Path);
        var (key, created) = state.LoadOrCreateWireGuardKey();
        Assert.True(created);
        Assert.Equal(state.WireGuardKeyPath, key.PrivateKeyFile);
        Assert.Equal(Secret, File.GetUnixFileMode(key.PrivateKeyFile));
        var secret = Convert.FromBase64String(File.ReadAllText(key.PrivateKeyFile).Trim());
        Assert.Equal(0, secret[0] & 7);        // clamped like `wg genkey`
        Assert.Equal(64, secret[31] & 0xC0);

        var psi = new ProcessStartInfo("wg", "pubkey") { RedirectStandardInput = true, RedirectStandardOutput = true };
        using var wg = Process.Start(psi)!;
        wg.StandardInput.Write(File.ReadAllText(key.PrivateKeyFile));
        wg.StandardInput.Close();
        var expected = wg.StandardOutput.ReadToEnd().Trim();
        wg.WaitForExit();
        Assert.Equal(0, wg.ExitCode);
        Assert.Equal(expected, key.PublicKeyBase64);

        var (reloaded, createdAgain) = state.LoadOrCreateWireGuardKey();
        Assert.False(createdAgain);
        Assert.Equal(key.PublicKeyBase64, reloaded.PublicKeyBase64);
    }

    [Fact]
    public void A_configured_WireGuard_key_elsewhere_is_never_invented()
    {
        using var temp = new TempDirectory();
        var state = StateDirectory.Open(temp.File("state"));
        var elsewhere = temp.File("wireguard.key");
        var error = Assert.Throws<StateFileException>(() => state.LoadOrCreateWireGuardKey(elsewhere));
        Assert.Contains(elsewhere, error.Message);
    }

    [Fact]
    public void Key_files_readable_by_others_are_refused()
    {
        using var temp = new TempDirectory();
        var state = StateDirectory.Open(temp.Path);
        state.LoadOrCreateNodeKey();
        File.SetUnixFileMode(state.NodeKeyPath, Secret | UnixFileMode.OtherRead);
        var error = Assert.Throws<StateFileException>(() => state.LoadOrCreateNodeKey());
        Assert.Contains(state.NodeKeyPath, error.Message);
        Assert.Contains("chmod 600", error.Message);
    }

    [Theory]
    [InlineData("")]
    [InlineData("not base64 at all\n")]
    [InlineData("AAAA\n")]
    public void A_corrupt_key_file_is_a_clear_error(string content)
    {
        using var temp = new TempDirectory();
        var state = StateDirectory.Open(temp.Path);
        File.WriteAllText(state.NodeKeyPath, content);
        File.SetUnixFileMode(state.NodeKeyPath, Secret);
        var error = Assert.Throws<StateFileException>(() => state.LoadOrCreateNodeKey());
        Assert.Contains(state.NodeKeyPath, error.Message);
        Assert.Contains("corrupt", error.Message);
    }

    [Fact]
    public void Leftover_temporaries_of_an_interrupted_write_are_ignored_and_cleaned()
    {
        using var temp = new TempDirectory();
        var state = StateDirectory.Open(temp.Path);
        var time = new FixedTime(DateTimeOffset.FromUnixTimeSeconds(1_750_000_000));
        var store = state.OpenVersionStore(nodeKeyCreated: true, resetVersionFloor: false, time);
        store.StoreCeiling(500);
        // A crash after the temp file was written but before the rename: half a file with the next value.
        var torn = temp.File($".{StateDirectory.VersionFileName}.4242.0123456789abcdef0123456789abcdef.tmp");
        File.WriteAllText(torn, "evernet-version-ceiling/1\n9");

        var reopened = StateDirectory.Open(temp.Path);
        Assert.Equal(1, reopened.StaleTemporariesRemoved);
        Assert.False(File.Exists(torn));
        Assert.Equal(500UL, reopened.OpenVersionStore(nodeKeyCreated: false, resetVersionFloor: false, time).LoadCeiling());
    }

    [Fact]
    public async Task Concurrent_readers_never_see_a_partial_file()
    {
        using var temp = new TempDirectory();
        var path = temp.File("version.ceiling");
        AtomicFile.Write(path, FileVersionStore.Format(0), AtomicFile.SecretMode);
        using var done = new CancellationTokenSource();
        int reads = 0;
        var reader = Task.Run(() =>
        {
            ulong last = 0;
            while (!done.IsCancellationRequested)
            {
                var value = FileVersionStore.Parse(File.ReadAllBytes(path), path); // throws on any torn content
                Assert.True(value >= last);
                last = value;
                Interlocked.Increment(ref reads);
            }
        });
        while (Volatile.Read(ref reads) == 0) await Task.Delay(1);
        int before = Volatile.Read(ref reads);
        for (ulong i = 1; i <= 300; i++) AtomicFile.Write(path, FileVersionStore.Format(i * 1000), AtomicFile.SecretMode);
        done.Cancel();
        await reader;
        Assert.True(reads > before, $"{reads - before} reads during the writes");
        Assert.Equal(300_000UL, FileVersionStore.Parse(File.ReadAllBytes(path), path));
        Assert.Single(Directory.GetFiles(temp.Path));
    }
}
