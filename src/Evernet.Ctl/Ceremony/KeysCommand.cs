using System.CommandLine;
using Evernet.Control;
using Evernet.Ctl.Output;
using Evernet.Gossip.Identity;

namespace Evernet.Ctl.Ceremony;

/// <summary>`evernetctl keys generate --out DIR`: a node's Ed25519 identity and its WireGuard key, offline.</summary>
internal static class KeysCommand
{
    public static Command Create(Terminal terminal)
    {
        var output = new Option<string>("--out") { Description = "Directory for node.key, node.pub, wireguard.key, wireguard.pub", Required = true, HelpName = "DIR" };
        var force = CeremonyCommand.ForceOption();
        var generate = new Command("generate", "Generate a node key (Ed25519) and a WireGuard key (X25519); secrets are written mode 0600") { output, force };
        generate.SetAction((parse, _) => CeremonyCommand.RunAsync(terminal, async () =>
        {
            string directory = parse.GetValue(output)!;
            bool overwrite = parse.GetValue(force);
            CeremonyCommand.EnsureDirectory(directory);
            string nodeKey = Path.Combine(directory, KeyFiles.NodeKeyFileName);
            string nodePublic = Path.Combine(directory, KeyFiles.NodePublicFileName);
            string wgKey = Path.Combine(directory, KeyFiles.WireGuardKeyFileName);
            string wgPublic = Path.Combine(directory, KeyFiles.WireGuardPublicFileName);
            if (!overwrite)
            {
                foreach (string path in new[] { nodeKey, nodePublic, wgKey, wgPublic })
                    if (File.Exists(path)) throw new CertificateFileException($"{path}: already exists (use --force to replace the keys)");
            }

            using var node = NodeKeyPair.Generate();
            using var wireGuard = WireGuardKeyPair.Generate();
            KeyFiles.WriteSigningKey(nodeKey, nodePublic, node, overwrite);
            KeyFiles.WriteWireGuardKey(wgKey, wgPublic, wireGuard, overwrite);
            await terminal.Out.WriteLineAsync($"node id        {node.Id.ToHex()}").ConfigureAwait(false);
            await terminal.Out.WriteLineAsync($"wireguard key  {wireGuard.PublicKeyBase64}").ConfigureAwait(false);
            await terminal.Out.WriteLineAsync($"wrote {nodeKey} and {wgKey} (0600), {nodePublic} and {wgPublic}").ConfigureAwait(false);
            return ExitCodes.Ok;
        }));
        return new Command("keys", "Node key material (offline)") { generate };
    }
}
