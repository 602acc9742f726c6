using System.Runtime.Versioning;
using System.Text;
using Evernet.Daemon.State;

namespace Evernet.Integration.Tests.State;

[UnsupportedOSPlatform("windows")]
public sealed class FileVersionStoreTests
{
    private static readonly DateTimeOffset Now = DateTimeOffset.FromUnixTimeSeconds(1_750_000_000);
    private static readonly ulong NowMicros = 1_750_000_000UL * 1_000_000;

    [Fact]
    public void Stores_durably_and_reloads()
    {
        using var temp = new TempDirectory();
        var path = temp.File("version.ceiling");
        var time = new FixedTime(Now);
        var store = FileVersionStore.Open(path, VersionFloorPolicy.FreshNode, time);
        Assert.Equal(0UL, store.LoadCeiling());
        Assert.True(File.Exists(path)); // the floor is on disk from the start
        store.StoreCeiling(1024);
        store.StoreCeiling(2048);
        Assert.Equal(2048UL, FileVersionStore.Open(path, VersionFloorPolicy.RequireExisting, time).LoadCeiling());
        var text = File.ReadAllText(path);
        Assert.StartsWith("evernet-version-ceiling/1\n2048\nsha256:", text);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
    }

    [Fact]
    public void The_ceiling_never_goes_down()
    {
        using var temp = new TempDirectory();
        var store = FileVersionStore.Open(temp.File("v"), VersionFloorPolicy.FreshNode, new FixedTime(Now));
        store.StoreCeiling(100);
        Assert.Throws<InvalidOperationException>(() => store.StoreCeiling(99));
        Assert.Equal(100UL, store.LoadCeiling());
    }

    [Fact]
    public void A_missing_file_for_a_node_that_ran_before_refuses_to_start()
    {
        using var temp = new TempDirectory();
        var path = temp.File("version.ceiling");
        var error = Assert.Throws<VersionFloorMissingException>(() => FileVersionStore.Open(path, VersionFloorPolicy.RequireExisting, new FixedTime(Now)));
        Assert.Contains(path, error.Message);
        Assert.Contains("--reset-version-floor", error.Message);
        Assert.False(File.Exists(path)); // nothing was silently created
    }

    [Fact]
    public void Reset_continues_from_the_clock_in_microseconds()
    {
        using var temp = new TempDirectory();
        var path = temp.File("version.ceiling");
        var store = FileVersionStore.Open(path, VersionFloorPolicy.ResetFromClock, new FixedTime(Now));
        Assert.Equal(NowMicros, store.LoadCeiling());
        Assert.Equal(NowMicros, FileVersionStore.Open(path, VersionFloorPolicy.RequireExisting, new FixedTime(Now)).LoadCeiling());
    }

    [Fact]
    public void Reset_never_lowers_a_stored_ceiling_that_is_above_the_clock()
    {
        using var temp = new TempDirectory();
        var path = temp.File("version.ceiling");
        FileVersionStore.Open(path, VersionFloorPolicy.FreshNode, new FixedTime(Now)).StoreCeiling(NowMicros + 5);
        Assert.Equal(NowMicros + 5, FileVersionStore.Open(path, VersionFloorPolicy.ResetFromClock, new FixedTime(Now)).LoadCeiling());
    }

    [Theory]
    [InlineData("evernet-version-ceiling/1\n2049\nsha256:{0}\n")] // one digit flipped, old checksum
    [InlineData("evernet-version-ceiling/1\n2048\n")]           // torn: checksum line missing
    [InlineData("")]
    [InlineData("2048\n")]
    [InlineData("evernet-version-ceiling/1\nabc\nsha256:0000000000000000\n")]
    public void A_corrupt_file_is_a_clear_error_naming_it_and_reset_recovers(string template)
    {
        using var temp = new TempDirectory();
        var path = temp.File("version.ceiling");
        var good = Encoding.ASCII.GetString(FileVersionStore.Format(2048));
        var checksum = good.Split('\n')[2]["sha256:".Length..];
        File.WriteAllText(path, string.Format(System.Globalization.CultureInfo.InvariantCulture, template, checksum));
        foreach (var policy in new[] { VersionFloorPolicy.RequireExisting, VersionFloorPolicy.FreshNode })
        {
            var error = Assert.Throws<StateFileException>(() => FileVersionStore.Open(path, policy, new FixedTime(Now)));
            Assert.Contains(path, error.Message);
        }
        var recovered = FileVersionStore.Open(path, VersionFloorPolicy.ResetFromClock, new FixedTime(Now));
        Assert.Equal(NowMicros, recovered.LoadCeiling());
        Assert.Equal(NowMicros, FileVersionStore.Open(path, VersionFloorPolicy.RequireExisting, new FixedTime(Now)).LoadCeiling());
    }

    [Fact]
    public void State_directory_picks_the_policy_from_the_key_history()
    {
        using var temp = new TempDirectory();
        var time = new FixedTime(Now);
        var state = StateDirectory.Open(temp.Path);
        var (_, created) = state.LoadOrCreateNodeKey();
        state.OpenVersionStore(created, resetVersionFloor: false, time).StoreCeiling(77);

        File.Delete(state.VersionPath); // lost, e.g. a partial restore
        var (_, createdNow) = state.LoadOrCreateNodeKey();
        Assert.False(createdNow);
        Assert.Throws<VersionFloorMissingException>(() => state.OpenVersionStore(createdNow, resetVersionFloor: false, time));
        Assert.Equal(NowMicros, state.OpenVersionStore(createdNow, resetVersionFloor: true, time).LoadCeiling());
    }
}
