using System.Runtime.InteropServices;
using System.Text;

namespace Evernet.Daemon.State;

/// <summary>
/// Crash-safe replacement of a file: write a temporary file in the same directory, fsync it, rename it over the target,
/// fsync the directory. After a crash the target is either the old or the new content, never a mix; a leftover
/// temporary file is never read and is removed by <see cref="RemoveStaleTemporaries"/>.
/// </summary>
public static class AtomicFile
{
    public const UnixFileMode SecretMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    public const UnixFileMode PublicMode = SecretMode | UnixFileMode.GroupRead | UnixFileMode.OtherRead;
    private const string TemporarySuffix = ".tmp";

    public static void Write(string path, ReadOnlySpan<byte> content, UnixFileMode mode)
    {
        if (OperatingSystem.IsWindows()) throw new PlatformNotSupportedException("evernet runs on Linux");
        string full = Path.GetFullPath(path);
        string directory = Path.GetDirectoryName(full) ?? "/";
        string temporary = Path.Combine(directory, $".{Path.GetFileName(full)}.{Environment.ProcessId}.{Guid.NewGuid():N}{TemporarySuffix}");
        try
        {
            var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None, UnixCreateMode = mode };
            using (var stream = new FileStream(temporary, options))
            {
                stream.Write(content);
                stream.Flush(flushToDisk: true);
            }
            File.SetUnixFileMode(temporary, mode); // the umask may have narrowed the create mode
            File.Move(temporary, full, overwrite: true);
            SyncDirectory(directory);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            TryDelete(temporary);
            throw new StateFileException($"{full}: cannot write: {e.Message}", e);
        }
    }

    /// <summary>Deletes temporaries a crash left behind (".NAME.PID.GUID.tmp"); returns how many.</summary>
    public static int RemoveStaleTemporaries(string directory)
    {
        int removed = 0;
        foreach (var file in Directory.EnumerateFiles(directory, $".*{TemporarySuffix}"))
        {
            if (TryDelete(file)) removed++;
        }
        return removed;
    }

    /// <summary>Makes the rename itself durable: without it a power cut can bring back the old directory entry.</summary>
    private static void SyncDirectory(string directory)
    {
        int fd = NativeMethods.open(Encoding.UTF8.GetBytes(directory + "\0"), NativeMethods.O_RDONLY | NativeMethods.O_DIRECTORY | NativeMethods.O_CLOEXEC);
        if (fd < 0) throw new IOException($"cannot open directory {directory} to sync it (errno {Marshal.GetLastPInvokeError()})");
        try
        {
            if (NativeMethods.fsync(fd) != 0) throw new IOException($"fsync of directory {directory} failed (errno {Marshal.GetLastPInvokeError()})");
        }
        finally
        {
            _ = NativeMethods.close(fd);
        }
    }

    private static bool TryDelete(string path)
    {
        try
        {
            File.Delete(path);
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    private static class NativeMethods
    {
        public const int O_RDONLY = 0, O_DIRECTORY = 0x10000, O_CLOEXEC = 0x80000;

        [DllImport("libc", SetLastError = true)]
        public static extern int open(byte[] path, int flags);

        [DllImport("libc", SetLastError = true)]
        public static extern int fsync(int fd);

        [DllImport("libc", SetLastError = true)]
        public static extern int close(int fd);
    }
}
