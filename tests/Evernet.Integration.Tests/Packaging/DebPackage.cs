using System.Security.Cryptography;
using System.Text;

namespace Evernet.Integration.Tests.Packaging;

/// <summary>
/// The .deb that packaging/deb/build-deb.sh builds (NativeAOT, amd64), built once per test run. Publishing takes a
/// minute or two, so the package is kept in the temp directory under a hash of everything it is built from (the
/// tracked and changed files of src/, packaging/, docs/ and the build props): a second run on the same tree reuses it.
/// PACKAGING_TEST_DEB=/path/to/evernet.deb tests that package instead (a developer's shortcut; CI leaves it unset).
/// </summary>
public sealed class DebPackage
{
    private static readonly string[] Inputs = ["src", "packaging/deb", "packaging/systemd", "packaging/evernetd.example.json", "docs", "Directory.Build.props", "Directory.Packages.props"];
    private readonly Lazy<Task<string>> _path = new(BuildAsync);

    /// <summary>The path of the .deb (built or taken from the cache on first use).</summary>
    public Task<string> PathAsync() => _path.Value;

    private static async Task<string> BuildAsync()
    {
        if (Environment.GetEnvironmentVariable("PACKAGING_TEST_DEB") is { Length: > 0 } given)
            return File.Exists(given) ? given : throw new FileNotFoundException("PACKAGING_TEST_DEB names no file", given);
        string root = PackagingCommand.RepositoryRoot;
        string key = await InputHashAsync(root);
        string cache = Path.Combine(Path.GetTempPath(), "evernet-deb-cache", key);
        var existing = Directory.Exists(cache) ? Directory.GetFiles(cache, "evernet_*_amd64.deb") : [];
        if (existing.Length == 1) return existing[0];

        string staging = cache + ".building-" + Environment.ProcessId;
        Directory.CreateDirectory(staging);
        var result = await PackagingCommand.RunAsync([Path.Combine(root, "packaging", "deb", "build-deb.sh"), "--arch", "amd64", "--out", staging],
            timeout: TimeSpan.FromMinutes(15), workingDirectory: root);
        if (result.ExitCode != 0) throw new InvalidOperationException("build-deb.sh failed:\n" + result);
        string deb = result.Stdout.Trim().Split('\n')[^1];
        if (!File.Exists(deb)) throw new InvalidOperationException($"build-deb.sh did not print the .deb it built:\n{result}");
        try
        {
            Directory.Move(staging, cache);
            return Path.Combine(cache, Path.GetFileName(deb));
        }
        catch (IOException)
        {
            return deb; // another run cached the same inputs meanwhile; ours is as good
        }
    }

    /// <summary>Hash of the index entries and uncommitted changes of the inputs; a fresh key when git is unavailable.</summary>
    private static async Task<string> InputHashAsync(string root)
    {
        var text = new StringBuilder();
        try
        {
            foreach (var command in new[] { new[] { "ls-files", "-s", "--" }, ["diff", "HEAD", "--"], ["ls-files", "--others", "--exclude-standard", "--"] })
            {
                var r = await PackagingCommand.RunAsync(["git", "-C", root, .. command, .. Inputs], workingDirectory: root);
                if (r.ExitCode != 0) return Guid.NewGuid().ToString("N");
                text.Append(r.Stdout);
                if (command[0] == "ls-files" && command[1] == "--others")
                    foreach (var file in r.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries))
                        text.Append(Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(Path.Combine(root, file)))));
            }
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return Guid.NewGuid().ToString("N"); // no git
        }
        return Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())))[..24].ToLowerInvariant();
    }
}
