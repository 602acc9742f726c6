namespace Evernet.Daemon.State;

/// <summary>
/// Crash-safe replacement of a file: write a temporary file in the same directory, fsync it, rename it over the target,
/// fsync the directory. After a crash the target is either the old or the new content, never a mix; a leftover
/// temporary file is never read and is removed by <see cref="RemoveStaleTemporaries"/>.
/// </summary>
public static class AtomicFile
{
    public const UnixFileMode SecretMode = Evernet.Control.SecureFile.SecretMode;
    public const UnixFileMode PublicMode = Evernet.Control.SecureFile.PublicMode;
    private const string TemporarySuffix = ".tmp";

    public static void Write(string path, ReadOnlySpan<byte> content, UnixFileMode mode)
    {
        try
        {
            Evernet.Control.SecureFile.WriteAtomically(path, content, mode);
        }
        catch (Evernet.Control.CertificateFileException e)
        {
            throw new StateFileException(e.Message, e.InnerException ?? e);
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
}
