namespace Evernet.Dataplane.Commands;

/// <summary>Finds programs in a PATH-style search list, the way execvp would.</summary>
public sealed class ExecutableLocator(string searchPath)
{
    public string SearchPath { get; } = searchPath;

    public static ExecutableLocator FromEnvironment() =>
        new(Environment.GetEnvironmentVariable("PATH") ?? "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");

    public string? Locate(string program)
    {
        if (program.Contains('/'))
        {
            return IsExecutableFile(program) ? program : null;
        }

        foreach (var directory in SearchPath.Split(':', StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Combine(directory, program);
            if (IsExecutableFile(candidate))
            {
                return candidate;
            }
        }

        return null;
    }

    private static bool IsExecutableFile(string path)
    {
        try
        {
            var info = new FileInfo(path);
            if (!info.Exists)
            {
                return false;
            }

            const UnixFileMode anyExecute = UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute;
            return OperatingSystem.IsWindows() || (File.GetUnixFileMode(path) & anyExecute) != 0;
        }
        catch (IOException)
        {
            return false;
        }
        catch (UnauthorizedAccessException)
        {
            return false;
        }
    }
}
