using System.Globalization;
using System.Text;
using Evernet.Gossip.Runtime;

namespace Evernet.Daemon.State;

/// <summary>What to do when the version ceiling file is missing (or, for <see cref="ResetFromClock"/>, corrupt).</summary>
public enum VersionFloorPolicy
{
    /// <summary>The node key was just created: no record was ever signed, so 0 is a correct floor.</summary>
    FreshNode,
    /// <summary>The node has run before: a missing file is an error (see <see cref="VersionFloorMissingException"/>).</summary>
    RequireExisting,
    /// <summary>Operator override (--reset-version-floor): continue from the current Unix time in microseconds, or the stored ceiling if higher.</summary>
    ResetFromClock,
}

/// <summary>
/// The durable version ceiling of the core (<see cref="IVersionStore"/>). File format, three lines of ASCII:
/// <code>
/// evernet-version-ceiling/1
/// 1733000000000000
/// sha256:0123456789abcdef
/// </code>
/// the last being the first 8 bytes of SHA-256 over the first two lines (each with its newline). Every store is an
/// atomic replace (temp file, fsync, rename, fsync directory) before it returns, as the core requires.
/// </summary>
public sealed class FileVersionStore : IVersionStore
{
    public const string Magic = "evernet-version-ceiling/1";
    private readonly Lock _gate = new();
    private ulong _ceiling;

    private FileVersionStore(string path, ulong ceiling)
    {
        Path = path;
        _ceiling = ceiling;
    }

    public string Path { get; }

    /// <summary>Opens the store; a missing or corrupt file is handled by <paramref name="policy"/> and never silently reset.</summary>
    public static FileVersionStore Open(string path, VersionFloorPolicy policy, TimeProvider time)
    {
        path = System.IO.Path.GetFullPath(path);
        ulong? stored = null;
        string? corruption = null;
        if (File.Exists(path))
        {
            try
            {
                stored = Parse(File.ReadAllBytes(path), path);
            }
            catch (StateFileException e) when (policy == VersionFloorPolicy.ResetFromClock)
            {
                corruption = e.Message;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new StateFileException($"{path}: cannot read the version ceiling: {e.Message}", e);
            }
        }

        ulong ceiling;
        switch (policy)
        {
            case VersionFloorPolicy.ResetFromClock:
                ulong clockFloor = (ulong)(time.GetUtcNow() - DateTimeOffset.UnixEpoch).Ticks / (TimeSpan.TicksPerMillisecond / 1000);
                ceiling = Math.Max(stored ?? 0, clockFloor);
                break;
            case VersionFloorPolicy.RequireExisting when stored is null:
                throw new VersionFloorMissingException(
                    $"{path}: the version ceiling file is missing, but this node has a key and may have signed records before. " +
                    "Starting from 0 would make peers discard its records as stale. If the state directory was restored or " +
                    "the file was lost, start once with --reset-version-floor: versions then continue from the current time " +
                    "in microseconds, which is above anything signed before as long as the clock is right.");
            default:
                ceiling = stored ?? 0;
                break;
        }
        var store = new FileVersionStore(path, ceiling);
        if (stored != ceiling || corruption is not null) store.Write(ceiling);
        return store;
    }

    public ulong LoadCeiling()
    {
        lock (_gate) return _ceiling;
    }

    /// <summary>Durable before it returns. A ceiling below the stored one is a bug in the caller and refused.</summary>
    public void StoreCeiling(ulong ceiling)
    {
        lock (_gate)
        {
            if (ceiling < _ceiling)
                throw new InvalidOperationException($"version ceiling must never go down (stored {_ceiling}, asked {ceiling})");
            if (ceiling == _ceiling && File.Exists(Path)) return;
            Write(ceiling);
            _ceiling = ceiling;
        }
    }

    private void Write(ulong ceiling) => AtomicFile.Write(Path, Format(ceiling), AtomicFile.SecretMode);

    public static byte[] Format(ulong ceiling)
    {
        var body = $"{Magic}\n{ceiling.ToString(CultureInfo.InvariantCulture)}\n";
        var bytes = Encoding.ASCII.GetBytes(body);
        return Encoding.ASCII.GetBytes($"{body}sha256:{StateChecksum.Hex(bytes)}\n");
    }

    public static ulong Parse(ReadOnlySpan<byte> content, string source)
    {
        var text = Encoding.ASCII.GetString(content);
        var lines = text.Split('\n');
        if (lines.Length != 4 || lines[3].Length != 0 || lines[0] != Magic)
            throw new StateFileException($"{source}: not a version ceiling file (expected the three lines '{Magic}', a number, a checksum)");
        if (!ulong.TryParse(lines[1], NumberStyles.None, CultureInfo.InvariantCulture, out var ceiling))
            throw new StateFileException($"{source}: corrupt version ceiling: '{lines[1]}' is not a number");
        var expected = "sha256:" + StateChecksum.Hex(Encoding.ASCII.GetBytes($"{lines[0]}\n{lines[1]}\n"));
        if (lines[2] != expected)
            throw new StateFileException($"{source}: corrupt version ceiling: checksum mismatch (file damaged?). Restore it, or start with --reset-version-floor");
        return ceiling;
    }
}
