using Evernet.Daemon.State;

namespace Evernet.Integration.Tests.State;

public sealed class MembershipSnapshotFileTests
{
    private static readonly DateTimeOffset SavedAt = DateTimeOffset.FromUnixTimeMilliseconds(1_750_000_000_123);

    private static List<ReadOnlyMemory<byte>> Items() =>
        [new byte[] { 1, 2, 3 }, Array.Empty<byte>(), Enumerable.Range(0, 1000).Select(i => (byte)i).ToArray()];

    [Fact]
    public void Round_trips_items_and_time()
    {
        using var temp = new TempDirectory();
        var path = temp.File("membership.bin");
        MembershipSnapshotFile.Save(path, Items(), SavedAt);
        var loaded = MembershipSnapshotFile.Load(path);
        Assert.Null(loaded.Problem);
        Assert.Equal(SavedAt, loaded.SavedAt);
        Assert.Equal(Items().Select(i => i.ToArray()), loaded.Items);
    }

    [Fact]
    public void A_missing_file_is_a_quiet_cold_start()
    {
        using var temp = new TempDirectory();
        var loaded = MembershipSnapshotFile.Load(temp.File("membership.bin"));
        Assert.Empty(loaded.Items);
        Assert.Null(loaded.Problem);
    }

    [Fact]
    public void Every_single_byte_flip_and_every_truncation_is_detected()
    {
        using var temp = new TempDirectory();
        var path = temp.File("membership.bin");
        MembershipSnapshotFile.Save(path, Items(), SavedAt);
        var good = File.ReadAllBytes(path);
        for (int i = 0; i < good.Length; i += 7)
        {
            var bad = (byte[])good.Clone();
            bad[i] ^= 0x10;
            File.WriteAllBytes(path, bad);
            var loaded = MembershipSnapshotFile.Load(path);
            Assert.Empty(loaded.Items);
            Assert.NotNull(loaded.Problem);
            Assert.Contains(path, loaded.Problem);
        }
        foreach (int length in new[] { 0, 3, 17, good.Length / 2, good.Length - 1 })
        {
            File.WriteAllBytes(path, good[..length]);
            var loaded = MembershipSnapshotFile.Load(path);
            Assert.Empty(loaded.Items);
            Assert.NotNull(loaded.Problem);
        }
    }

    [Fact]
    public void Oversized_items_are_refused_at_save()
    {
        using var temp = new TempDirectory();
        Assert.Throws<ArgumentException>(() => MembershipSnapshotFile.Save(temp.File("m"), [new byte[MembershipSnapshotFile.MaxItemBytes + 1]], SavedAt));
    }
}
