using System.CommandLine;
using Evernet.Control;
using Evernet.Ctl.Output;
using Evernet.Gossip.Identity;

namespace Evernet.Ctl.Ceremony;

/// <summary>`evernetctl authority init --out DIR`: a community authority's Ed25519 key, offline.</summary>
internal static class AuthorityCommand
{
    public static Command Create(Terminal terminal)
    {
        var output = new Option<string>("--out") { Description = "Directory for authority.key (0600) and authority.pub", Required = true, HelpName = "DIR" };
        var force = CeremonyCommand.ForceOption();
        var init = new Command("init", "Create a community authority key; keep authority.key offline, give authority.pub to every node") { output, force };
        init.SetAction((parse, _) => CeremonyCommand.RunAsync(terminal, async () =>
        {
            string directory = parse.GetValue(output)!;
            CeremonyCommand.EnsureDirectory(directory);
            string keyPath = Path.Combine(directory, KeyFiles.AuthorityKeyFileName);
            string publicPath = Path.Combine(directory, KeyFiles.AuthorityPublicFileName);
            using var authority = NodeKeyPair.Generate();
            KeyFiles.WriteSigningKey(keyPath, publicPath, authority, parse.GetValue(force));
            await terminal.Out.WriteLineAsync($"authority  {authority.Id.ToHex()}").ConfigureAwait(false);
            await terminal.Out.WriteLineAsync($"wrote {keyPath} (0600) and {publicPath}").ConfigureAwait(false);
            return ExitCodes.Ok;
        }));
        return new Command("authority", "Community authority key material (offline)") { init };
    }
}
