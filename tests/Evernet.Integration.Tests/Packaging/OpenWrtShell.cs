namespace Evernet.Integration.Tests.Packaging;

/// <summary>
/// The shells the OpenWrt scripts must run under: dash (Debian's /bin/sh, with mawk) and BusyBox sh with BusyBox's own
/// applets first on PATH (awk, sed, mkdir, ...), which is what an OpenWrt router has.
/// </summary>
internal static class OpenWrtShell
{
    public const string Dash = "dash";
    public const string BusyBox = "busybox";

    public static TheoryData<string> All => new() { Dash, BusyBox };

    private static readonly Lazy<string> AppletDirectory = new(CreateAppletDirectory);

    public static string FilesDirectory => Path.Combine(PackagingCommand.PackagingDirectory, "openwrt", "evernet", "files");
    public static string Uci2Json => Path.Combine(FilesDirectory, "evernet-uci2json");
    public static string InitScript => Path.Combine(FilesDirectory, "evernet.init");
    public static string SampleConfig => Path.Combine(FilesDirectory, "evernet.config");

    /// <summary>Runs <paramref name="script"/> with <paramref name="args"/> under the named shell.</summary>
    public static Task<PackagingCommand.Result> RunAsync(string shell, string script, IReadOnlyList<string> args,
        IReadOnlyDictionary<string, string>? environment = null, string? input = null)
    {
        var env = new Dictionary<string, string>(environment ?? new Dictionary<string, string>());
        List<string> command;
        if (shell == BusyBox)
        {
            string busybox = PackagingCommand.Which("busybox")
                ?? throw new InvalidOperationException("busybox is not installed (apt-get install busybox): the OpenWrt scripts are tested under BusyBox sh");
            env["PATH"] = AppletDirectory.Value;
            command = [busybox, "sh", script, .. args];
        }
        else
        {
            string dash = PackagingCommand.Which("dash") ?? throw new InvalidOperationException("dash is not installed");
            command = [dash, script, .. args];
        }
        return PackagingCommand.RunAsync(command, env, TimeSpan.FromSeconds(90), input: input);
    }

    private static string CreateAppletDirectory()
    {
        string busybox = PackagingCommand.Which("busybox")
            ?? throw new InvalidOperationException("busybox is not installed (apt-get install busybox)");
        // One shared directory of symbolic links (idempotent; parallel runs may create it together).
        var dir = Path.Combine(Path.GetTempPath(), "evernet-busybox-applets");
        Directory.CreateDirectory(dir);
        var list = PackagingCommand.RunAsync([busybox, "--list"]).GetAwaiter().GetResult();
        foreach (var applet in list.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var link = Path.Combine(dir, applet);
            if (File.Exists(link)) continue;
            try { File.CreateSymbolicLink(link, busybox); }
            catch (IOException) when (File.Exists(link)) { }
        }
        return dir;
    }
}
