using System.CommandLine;
using Evernet.Ctl.Ceremony;
using Evernet.Ctl.Daemon;
using Evernet.Ctl.Output;

namespace Evernet.Ctl;

internal static class Program
{
    private static async Task<int> Main(string[] args)
    {
        var terminal = Terminal.FromConsole();
        var root = CreateRootCommand(terminal, TimeProvider.System);
        var parse = root.Parse(args);
        if (parse.Errors.Count > 0)
        {
            foreach (var error in parse.Errors) await terminal.Error.WriteLineAsync("evernetctl: " + error.Message).ConfigureAwait(false);
            await terminal.Error.WriteLineAsync("Try 'evernetctl --help'.").ConfigureAwait(false);
            return ExitCodes.Usage;
        }
        return await parse.InvokeAsync(new InvocationConfiguration { EnableDefaultExceptionHandler = true }).ConfigureAwait(false);
    }

    public static RootCommand CreateRootCommand(Terminal terminal, TimeProvider time)
    {
        var root = new RootCommand("evernetctl: inspect and steer evernetd, and the offline key and certificate ceremony");
        foreach (var command in DaemonCommands.Create(terminal)) root.Subcommands.Add(command);
        root.Subcommands.Add(KeysCommand.Create(terminal));
        root.Subcommands.Add(AuthorityCommand.Create(terminal));
        root.Subcommands.Add(CertCommand.Create(terminal, time));
        return root;
    }
}
