using System.Diagnostics;

namespace Evernet.Integration.Tests.Control;

/// <summary>Runs the built evernetctl as a real process (`dotnet evernetctl.dll`), optionally as another user.</summary>
internal static class Evernetctl
{
    public sealed record Result(int ExitCode, string Stdout, string Stderr);

    public static string DllPath
    {
        get
        {
            string path = Path.Combine(AppContext.BaseDirectory, "evernetctl.dll");
            return File.Exists(path) ? path : throw new FileNotFoundException("evernetctl.dll is not in the test output: build Evernet.Ctl", path);
        }
    }

    public static string DotnetPath =>
        Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host)
            ? host
            : Environment.ProcessPath is { } self && Path.GetFileNameWithoutExtension(self) == "dotnet" ? self : "/usr/bin/dotnet";

    /// <param name="asNobody">Run as user nobody, group nogroup, no supplementary groups (setpriv).</param>
    public static async Task<Result> RunAsync(IEnumerable<string> args, bool asNobody = false, IDictionary<string, string>? environment = null)
    {
        var start = new ProcessStartInfo
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        if (asNobody)
        {
            start.FileName = "setpriv";
            foreach (string a in new[] { "--reuid=nobody", "--regid=nogroup", "--clear-groups", "--", DotnetPath }) start.ArgumentList.Add(a);
        }
        else
        {
            start.FileName = DotnetPath;
        }
        start.ArgumentList.Add(DllPath);
        foreach (string a in args) start.ArgumentList.Add(a);
        start.Environment["NO_COLOR"] = "";
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";
        start.Environment.Remove("EVERNET_SOCKET");
        if (asNobody) start.Environment["HOME"] = "/tmp";
        if (environment is not null)
            foreach (var (key, value) in environment) start.Environment[key] = value;

        using var process = Process.Start(start) ?? throw new InvalidOperationException("could not start evernetctl");
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"evernetctl {string.Join(' ', args)} did not exit within 60 s");
        }
        return new Result(process.ExitCode, await stdout, await stderr);
    }

    /// <summary>Runs a shell command line under script(1), so its stdout is a pseudo-terminal; returns what it printed.</summary>
    public static async Task<string> RunInTerminalAsync(string commandLine, bool noColor)
    {
        var start = new ProcessStartInfo("script", ["-q", "-e", "-c", commandLine, "/dev/null"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        start.Environment["TERM"] = "xterm";
        if (noColor) start.Environment["NO_COLOR"] = "1";
        else start.Environment.Remove("NO_COLOR");
        using var process = Process.Start(start) ?? throw new InvalidOperationException("could not start script(1)");
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);
        Assert.True(process.ExitCode == 0, $"'{commandLine}' under script exited {process.ExitCode}: {await process.StandardError.ReadToEndAsync()}");
        return await stdout;
    }

    public static Task<Result> RunAsync(params string[] args) => RunAsync((IEnumerable<string>)args);
}
