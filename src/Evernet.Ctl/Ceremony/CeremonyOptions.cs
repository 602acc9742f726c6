using System.CommandLine;
using Evernet.Control;

namespace Evernet.Ctl.Ceremony;

/// <summary>Shared helpers for the offline key and certificate commands.</summary>
internal static class CeremonyCommand
{
    public static Option<bool> ForceOption() => new("--force") { Description = "Replace existing files (a replaced key is gone for good)" };

    /// <summary>Runs an offline action; file problems become a message and EX_DATAERR, bad argument values EX_USAGE.</summary>
    public static async Task<int> RunAsync(Output.Terminal terminal, Func<Task<int>> action)
    {
        try
        {
            return await action().ConfigureAwait(false);
        }
        catch (CertificateFileException ex)
        {
            await terminal.Error.WriteLineAsync("evernetctl: " + ex.Message).ConfigureAwait(false);
            return ExitCodes.DataError;
        }
        catch (UsageException ex)
        {
            await terminal.Error.WriteLineAsync("evernetctl: " + ex.Message).ConfigureAwait(false);
            return ExitCodes.Usage;
        }
    }

    /// <summary>Creates the output directory private to its owner when it does not exist yet.</summary>
    public static void EnsureDirectory(string directory)
    {
        if (OperatingSystem.IsWindows()) throw new PlatformNotSupportedException("evernet runs on Linux");
        if (File.Exists(directory)) throw new CertificateFileException($"{directory}: is a file, not a directory");
        if (!Directory.Exists(directory))
        {
            try
            {
                Directory.CreateDirectory(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                throw new CertificateFileException($"{directory}: cannot create: {ex.Message}", ex);
            }
        }
    }
}

/// <summary>An argument value that parses but makes no sense (bad hex, unknown role): exit 64.</summary>
internal sealed class UsageException(string message) : Exception(message);
