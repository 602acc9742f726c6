namespace Evernet.Control;

/// <summary>Atomic file writes with a fixed mode: a key is never, not even briefly, readable by others, and a reader never sees half a file.</summary>
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
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            TryDelete(temporary);
            if (!overwrite && File.Exists(full)) throw new CertificateFileException($"{path}: already exists (refusing to overwrite)", ex);
            throw new CertificateFileException($"{path}: cannot write: {ex.Message}", ex);
        }
    }

    private static void TryDelete(string path)
    {
        try { File.Delete(path); }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }
}
