using Evernet.Gossip.Identity;

namespace Evernet.Daemon.State;

/// <summary>
/// The daemon's state directory (default /var/lib/evernet, mode 0700):
/// node.key (Ed25519 seed), wireguard.key (WireGuard private key, unless configured elsewhere), version.ceiling
/// (<see cref="FileVersionStore"/>) and membership.bin (<see cref="MembershipSnapshotFile"/>). Opening it creates the
/// directory if needed and removes temporaries an interrupted write left behind.
/// </summary>
public sealed class StateDirectory
{
    public const string NodeKeyFileName = "node.key";
    public const string WireGuardKeyFileName = "wireguard.key";
    public const string VersionFileName = "version.ceiling";
    public const string MembershipFileName = "membership.bin";
    private const UnixFileMode DirectoryMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

    private StateDirectory(string path, int staleTemporariesRemoved)
    {
        Path = path;
        StaleTemporariesRemoved = staleTemporariesRemoved;
    }

    public string Path { get; }
    /// <summary>Leftovers of interrupted writes found and removed at open (worth a log line).</summary>
    public int StaleTemporariesRemoved { get; }
    public string NodeKeyPath => System.IO.Path.Combine(Path, NodeKeyFileName);
    public string WireGuardKeyPath => System.IO.Path.Combine(Path, WireGuardKeyFileName);
    public string VersionPath => System.IO.Path.Combine(Path, VersionFileName);
    public string MembershipPath => System.IO.Path.Combine(Path, MembershipFileName);

    public static StateDirectory Open(string path)
    {
        if (OperatingSystem.IsWindows()) throw new PlatformNotSupportedException("evernet runs on Linux");
        var full = System.IO.Path.GetFullPath(path);
        try
        {
            if (File.Exists(full)) throw new StateFileException($"{full}: the state directory is a file");
            if (!Directory.Exists(full)) Directory.CreateDirectory(full, DirectoryMode);
            return new StateDirectory(full, AtomicFile.RemoveStaleTemporaries(full));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new StateFileException($"{full}: cannot use as state directory: {e.Message}", e);
        }
    }

    /// <summary>The node key, created on first start. <c>Created</c> = this is a fresh node (it has never signed anything).</summary>
    public (NodeKeyPair Key, bool Created) LoadOrCreateNodeKey()
    {
        // Version file first: "node.key exists, version.ceiling does not" must only ever mean the file was lost,
        // never that a first start crashed between the two writes.
        if (!File.Exists(NodeKeyPath) && !File.Exists(VersionPath))
            AtomicFile.Write(VersionPath, FileVersionStore.Format(0), AtomicFile.SecretMode);
        return NodeKeyFile.LoadOrCreate(NodeKeyPath);
    }

    /// <summary>The WireGuard key at <paramref name="path"/> (default wireguard.key here); created when missing only if it lives in this directory.</summary>
    public (WireGuardKey Key, bool Created) LoadOrCreateWireGuardKey(string? path = null)
    {
        var keyPath = path ?? WireGuardKeyPath;
        bool ours = string.Equals(System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(keyPath)), Path, StringComparison.Ordinal);
        return WireGuardKey.LoadOrCreate(keyPath, createIfMissing: ours);
    }

    /// <summary>
    /// The version store. <paramref name="nodeKeyCreated"/>: the key was created in this run, so a missing file is expected.
    /// Otherwise a missing file is refused (<see cref="VersionFloorMissingException"/>) unless <paramref name="resetVersionFloor"/>.
    /// </summary>
    public FileVersionStore OpenVersionStore(bool nodeKeyCreated, bool resetVersionFloor, TimeProvider time) =>
        FileVersionStore.Open(VersionPath,
            resetVersionFloor ? VersionFloorPolicy.ResetFromClock : nodeKeyCreated ? VersionFloorPolicy.FreshNode : VersionFloorPolicy.RequireExisting,
            time);

    public MembershipSnapshot LoadMembership() => MembershipSnapshotFile.Load(MembershipPath);

    public void SaveMembership(IReadOnlyCollection<ReadOnlyMemory<byte>> items, DateTimeOffset savedAt) =>
        MembershipSnapshotFile.Save(MembershipPath, items, savedAt);
}
