namespace Evernet.Integration.Tests.Configuration;

/// <summary>Config files written for one test into a private temp directory.</summary>
internal sealed class ConfigFiles : IDisposable
{
    public const string Authority = "3f1c6a0b8e2d4f5a9c7b1e0d2a4c6e8f0b2d4f6a8c0e2a4c6e8f0a2c4e6a8c0e";

    public ConfigFiles() => System.IO.Directory.CreateDirectory(Directory = Path.Combine(Path.GetTempPath(), "evernet-config-" + Guid.NewGuid().ToString("N")));

    public string Directory { get; }

    public string Write(string json, string name = "evernetd.json")
    {
        var path = Path.Combine(Directory, name);
        File.WriteAllText(path, json);
        return path;
    }

    /// <summary>The smallest valid node configuration, with <paramref name="extra"/> members spliced in.</summary>
    public string Minimal(string extra = "") => Write($$"""
        {
          "nodeName": "router-17",
          "authorities": [ "{{Authority}}" ],
          "meshInterfaces": [ "mesh0" ],
          "certificateFile": "{{Path.Combine(Directory, "node.cert")}}"{{(extra.Length > 0 ? "," : "")}}
          {{extra}}
        }
        """);

    /// <summary>packaging/evernetd.example.json of this checkout.</summary>
    public static string ExampleConfig()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "packaging", "evernetd.example.json");
            if (File.Exists(candidate)) return candidate;
        }
        throw new FileNotFoundException("packaging/evernetd.example.json not found above " + AppContext.BaseDirectory);
    }

    public void Dispose()
    {
        try { System.IO.Directory.Delete(Directory, recursive: true); }
        catch (IOException) { }
    }
}
