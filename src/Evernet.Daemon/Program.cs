using Evernet.Daemon.Configuration;
using Evernet.Daemon.Host;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Evernet.Daemon;

internal static class Program
{
    private const int ExitConfig = 78; // EX_CONFIG

    private static int Main(string[] args)
    {
        if (args.Contains("--help") || args.Contains("-h"))
        {
            Console.WriteLine("""
                evernetd: the Evernet Gossip daemon

                  evernetd [--config PATH] [--dry-run] [--reset-version-floor] [--key=value ...]
                  evernetd --check-config [--config PATH]   validate the configuration and certificate, start nothing
                  evernetd --hash-password                  read a password, print its hash for webAdmin.passwordHash
                  evernetd --version

                Configuration: JSON file (default /etc/evernet/evernetd.json), overridden by EVERNET_* environment
                variables (EVERNET_GOSSIP__PORT=7000) and --key=value arguments (--gossip:port=7000).
                """);
            return 0;
        }
        if (args.Contains("--version"))
        {
            Console.WriteLine(typeof(Program).Assembly.GetName().Version?.ToString(3));
            return 0;
        }
        if (args.Contains("--hash-password"))
            return Web.AdminPassword.RunHashPasswordCommand(Console.In, Console.Out, Console.Error, interactive: !Console.IsInputRedirected);
        if (args.Contains("--check-config"))
        {
            var (code, messages) = ConfigCheck.Run(args);
            foreach (var m in messages) (code == 0 ? Console.Out : Console.Error).WriteLine(m);
            return code;
        }

        var commandLine = DaemonCommandLine.Parse(args);
        var loaded = EvernetdConfiguration.Load(commandLine);
        if (!loaded.IsValid)
        {
            Console.Error.WriteLine($"evernetd: {loaded.ConfigPath}: configuration is invalid");
            foreach (var e in loaded.Errors) Console.Error.WriteLine("  " + e);
            return ExitConfig;
        }
        var options = loaded.Options!;

        var builder = Microsoft.Extensions.Hosting.Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings { Args = [] });
        builder.Services.AddSystemd();
        builder.Logging.ClearProviders();
        builder.Logging.AddSimpleConsole(c =>
        {
            c.SingleLine = true;
            c.TimestampFormat = Environment.GetEnvironmentVariable("INVOCATION_ID") is null ? "HH:mm:ss.fff " : null; // journald stamps its own
        });
        builder.Logging.SetMinimumLevel(Enum.TryParse<LogLevel>(options.LogLevel, ignoreCase: true, out var level) ? level : LogLevel.Information);
        builder.Services.AddSingleton(options);
        builder.Services.AddSingleton(commandLine);
        builder.Services.AddSingleton<EvernetService>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<EvernetService>());
        builder.Services.Configure<HostOptions>(h =>
        {
            h.ShutdownTimeout = TimeSpan.FromSeconds(10);
            h.BackgroundServiceExceptionBehavior = BackgroundServiceExceptionBehavior.StopHost;
        });
        using var host = builder.Build();
        try
        {
            host.Run();
        }
        catch (StartupException e)
        {
            Console.Error.WriteLine($"evernetd: cannot start: {e.Message}");
            return ExitConfig;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            Console.Error.WriteLine($"evernetd: stopped on an unexpected error: {e.Message}");
            return 1;
        }
        return Environment.ExitCode;
    }
}
