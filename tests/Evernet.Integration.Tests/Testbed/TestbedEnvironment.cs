namespace Evernet.Integration.Tests.Testbed;

/// <summary>Where the testbed scripts and the gap probe are, and whether this process may use them.</summary>
public static class TestbedEnvironment
{
    public static bool IsRoot => Environment.UserName == "root" || GetEffectiveUserId() == 0;

    /// <summary>The repository root: the first ancestor of the test assembly that holds the solution file.</summary>
    public static string RepositoryRoot { get; } = FindRepositoryRoot();

    public static string TestbedScript => Path.Combine(RepositoryRoot, "tests", "testbed", "testbed.sh");

    public static string BabelBaselineScript => Path.Combine(RepositoryRoot, "tests", "testbed", "babel-baseline.sh");

    /// <summary>
    /// The command that runs Evernet.GapProbe, for EVT_PROBE: a build of it that is newer than its sources (the
    /// solution build makes one), otherwise null (the scripts then build it themselves).
    /// </summary>
    public static string? GapProbeCommand()
    {
        var project = Path.Combine(RepositoryRoot, "tests", "Evernet.GapProbe");
        var newestSource = Directory.EnumerateFiles(project, "*.cs*", SearchOption.TopDirectoryOnly)
            .Select(File.GetLastWriteTimeUtc)
            .DefaultIfEmpty(DateTime.MaxValue)
            .Max();
        var configuration = new DirectoryInfo(AppContext.BaseDirectory).Parent?.Name ?? "Debug"; // bin/<Configuration>/net10.0/
        foreach (var candidate in new[] { configuration, "Debug", "Release" }.Distinct(StringComparer.Ordinal))
        {
            var dll = Path.Combine(RepositoryRoot, "tests", "Evernet.GapProbe", "bin", candidate, "net10.0", "Evernet.GapProbe.dll");
            if (File.Exists(dll) && File.GetLastWriteTimeUtc(dll) >= newestSource)
            {
                return $"dotnet {dll}";
            }
        }

        return null;
    }

    /// <summary>
    /// The probe command: the fresh build next to the tests, or a Release build made now (the same build the scripts
    /// would make; an up-to-date project builds in seconds).
    /// </summary>
    public static async Task<string> EnsureGapProbeAsync()
    {
        if (GapProbeCommand() is { } ready)
        {
            return ready;
        }

        var project = Path.Combine(RepositoryRoot, "tests", "Evernet.GapProbe");
        var build = await ScriptRunner.RunCommandAsync("dotnet", ["build", project, "-c", "Release", "--nologo", "-v", "q"], TimeSpan.FromMinutes(5));
        if (build.ExitCode != 0)
        {
            throw new InvalidOperationException($"building Evernet.GapProbe failed:\n{build.StandardOutput}\n{build.StandardError}");
        }

        return $"dotnet {Path.Combine(project, "bin", "Release", "net10.0", "Evernet.GapProbe.dll")}";
    }

    /// <summary>A namespace prefix no other run uses, so parallel runs and leftovers stay apart.</summary>
    public static string UniquePrefix(string tag) => $"evt-{tag}{Random.Shared.Next(1000, 10000)}-";

    private static string FindRepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Evernet.Gossip.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"no Evernet.Gossip.sln above {AppContext.BaseDirectory}");
    }

    private static int GetEffectiveUserId()
    {
        // /proc/self/status "Uid: real effective saved fs" — avoids P/Invoke for one number
        try
        {
            var line = File.ReadLines("/proc/self/status").FirstOrDefault(l => l.StartsWith("Uid:", StringComparison.Ordinal));
            var fields = line?.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            return fields is { Length: >= 3 } && int.TryParse(fields[2], System.Globalization.CultureInfo.InvariantCulture, out var uid) ? uid : -1;
        }
        catch (IOException)
        {
            return -1;
        }
    }
}
