using System.Text.Json;
using Evernet.Control;
using Evernet.Gossip.Identity;

namespace Evernet.MeshEmulator;

/// <summary>
/// What an operator would hand the 103rd router: its keys (in the state directory, as `evernetctl keys generate` writes
/// them), a certificate from the emulator's authority, the authority's public key and an evernetd.json that joins the
/// emulated mesh through its gateways, with the dry-run dataplane and discovery off.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public static class GuestFiles
{
    private const UnixFileMode Secret = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    public sealed record Paths(string Directory, string Config, string Certificate, string StateDirectory, string ControlSocket);

    public static Paths Write(EmulatorOptions options, CertificateAuthority authority, IReadOnlyList<EmulatedNode> gateways)
    {
        string dir = Path.Combine(options.OutputDirectory, "guest");
        string state = Path.Combine(dir, "state");
        Directory.CreateDirectory(options.OutputDirectory);
        if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true); // a fresh node each run: no version floor to honour
        Directory.CreateDirectory(dir);
        Directory.CreateDirectory(state, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        File.WriteAllText(Path.Combine(options.OutputDirectory, "authority.pub"), authority.Id.ToHex() + "\n");

        using var key = NodeKeyPair.Generate();
        using var wireGuard = WireGuardKeyPair.Generate();
        WriteSecret(Path.Combine(state, "node.key"), Convert.ToBase64String(key.ExportPrivateSeed()));
        WriteSecret(Path.Combine(state, "wireguard.key"), wireGuard.ExportPrivateKeyBase64());
        const string name = "guest-103";
        var now = DateTimeOffset.UtcNow;
        var certificate = authority.Issue(key.Id, wireGuard.PublicKey.Span, name, NodeRoles.Node, 10_000, now.AddDays(-1), now.AddDays(30));
        string certificatePath = Path.Combine(dir, "node.cert");
        CertificateFiles.WriteCertificate(certificatePath, certificate);

        var paths = new Paths(dir, Path.Combine(dir, "evernetd.json"), certificatePath, state, Path.Combine(dir, "evernetd.sock"));
        using (var stream = File.Create(paths.Config))
        using (var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartObject();
            json.WriteString("nodeName", name);
            json.WriteString("role", "node");
            json.WriteString("stateDirectory", state);
            json.WriteStartArray("authorities");
            json.WriteStringValue(authority.Id.ToHex());
            json.WriteEndArray();
            json.WriteString("certificateFile", certificatePath);
            json.WriteStartArray("clientPrefixes");
            json.WriteStringValue("10.250.103.0/24");
            json.WriteEndArray();
            json.WriteStartObject("gossip");
            json.WriteNumber("port", options.GuestPort);
            json.WriteStartArray("listenAddresses");
            json.WriteStringValue("127.0.0.1");
            json.WriteEndArray();
            json.WriteStartArray("seeds");
            foreach (var g in gateways) json.WriteStringValue(g.Address.Value);
            json.WriteEndArray();
            json.WriteEndObject();
            json.WriteString("controlSocket", paths.ControlSocket);
            json.WriteStartObject("discovery");
            json.WriteBoolean("enabled", false);
            json.WriteEndObject();
            json.WriteBoolean("dryRun", true);
            json.WriteString("logLevel", "Warning");
            json.WriteEndObject();
        }
        return paths;
    }

    private static void WriteSecret(string path, string base64)
    {
        File.WriteAllText(path, base64 + "\n");
        File.SetUnixFileMode(path, Secret);
    }
}
