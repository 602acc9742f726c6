using System.Runtime.InteropServices;
using System.Text;

namespace Evernet.Control;

/// <summary>
/// Atomic, durable file writes with a fixed mode: a key is never, not even briefly, readable by others; a reader never
/// sees half a file; after a power cut the file holds the old or the new content (temporary file fsynced, renamed,
/// directory fsynced). evernetctl's key ceremony and evernetd's state directory both write through here.
/// </summary>
public static class SecureFile
{
    public const UnixFileMode SecretMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    public const UnixFileMode PublicMode = SecretMode | UnixFileMode.GroupRead | UnixFileMode.OtherRead;

    /// <summary>Writes via a temporary file in the same directory, then renames. With <paramref name="overwrite"/> false an existing file is an error.</summary>
    public static void WriteAtomically(string path, ReadOnlySpan<byte> content, UnixFileMode mode, bool overwrite = true)
    {
        if (OperatingSystem.IsWindows()) throw new PlatformNotSupportedException("evernet runs on Linux");
        string full = Path.GetFullPath(path);
        string directory = Path.GetDirectoryName(full) ?? "/";
        if (!overwrite && File.Exists(full))
            throw new CertificateFileException($"{path}: already exists (refusing to overwrite)");
        string temporary = Path.Combine(directory, $".{Path.GetFileName(full)}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp");
        try
        {
            var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None, UnixCreateMode = mode };
            using (var stream = new FileStream(temporary, options))
            {
                stream.Write(content);
                stream.Flush(flushToDisk: true);
            }
            File.SetUnixFileMode(temporary, mode); // the umask may have narrowed the create mode
            File.Move(temporary, full, overwrite);
            SyncDirectory(directory);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            TryDelete(temporary);
            if (!overwrite && File.Exists(full)) throw new CertificateFileException($"{path}: already exists (refusing to overwrite)", ex);
            throw new CertificateFileException($"{path}: cannot write: {ex.Message}", ex);
        }
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

    private static void TryDelete(string path)
    {
        try { File.Delete(path); }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }
}
