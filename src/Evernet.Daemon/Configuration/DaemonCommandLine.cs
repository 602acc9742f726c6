namespace Evernet.Daemon.Configuration;

/// <summary>
/// evernetd's own flags, separated from configuration overrides. Recognised: --config PATH (or --config=PATH),
/// --check-config, --reset-version-floor, --dry-run (same as --dryRun=true). Everything else is handed to the
/// configuration as overrides (--gossip:port=7000, --nodeName router-7, /logLevel Debug).
/// </summary>
public sealed record DaemonCommandLine(
    string ConfigPath,
    bool CheckConfig,
    bool ResetVersionFloor,
    IReadOnlyList<string> ConfigurationArguments,
    IReadOnlyList<string> Errors)
{
    public static DaemonCommandLine Parse(IReadOnlyList<string> args)
    {
        string path = EvernetdConfiguration.DefaultConfigPath;
        bool check = false, reset = false;
        var rest = new List<string>();
        var errors = new List<string>();
        for (int i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            switch (arg)
            {
                case "--check-config": check = true; break;
                case "--reset-version-floor": reset = true; break;
                case "--dry-run": rest.Add("--dryRun=true"); break;
                case "--config":
                    if (i + 1 < args.Count && !args[i + 1].StartsWith("--", StringComparison.Ordinal)) path = args[++i];
                    else errors.Add("--config needs a file path");
                    break;
                default:
                    if (arg.StartsWith("--config=", StringComparison.Ordinal))
                    {
                        path = arg["--config=".Length..];
                        if (path.Length == 0) errors.Add("--config needs a file path");
                    }
                    else rest.Add(arg);
                    break;
            }
        }
        return new DaemonCommandLine(path, check, reset, rest, errors);
    }
}
