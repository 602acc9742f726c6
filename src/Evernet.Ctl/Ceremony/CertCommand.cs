using System.CommandLine;
using System.Text;
using System.Text.Json;
using Evernet.Control;
using Evernet.Ctl.Daemon;
using Evernet.Ctl.Output;
using Evernet.Gossip.Identity;

namespace Evernet.Ctl.Ceremony;

/// <summary>`evernetctl cert issue|revoke|show|submit`: certificates and revocations, signed offline with the authority key.</summary>
internal static class CertCommand
{
    /// <summary>Certificates start a little in the past so a node whose clock runs slightly behind accepts them at once.</summary>
    private const long ClockSkewAllowanceSeconds = 300;

    public static Command Create(Terminal terminal, TimeProvider time) => new("cert", "Membership certificates and revocations (offline; revoke --submit talks to evernetd)")
    {
        Issue(terminal, time),
        Revoke(terminal, time),
        Show(terminal, time),
        Submit(terminal),
    };

    private static Option<string> AuthorityKeyOption() =>
        new("--authority-key") { Description = "The authority's secret key file (authority.key)", Required = true, HelpName = "FILE" };

    private static Option<string> NodeIdOption() =>
        new("--node-id") { Description = "The node's id: 64 hex digits, or its node.pub file", Required = true, HelpName = "HEX" };

    private static Command Issue(Terminal terminal, TimeProvider time)
    {
        var authorityKey = AuthorityKeyOption();
        var nodeId = NodeIdOption();
        var wgKey = new Option<string>("--wg-public-key") { Description = "The node's WireGuard public key: base64, or its wireguard.pub file", Required = true, HelpName = "B64" };
        var name = new Option<string>("--name") { Description = "The node's name (shown in tables, at most 64 UTF-8 bytes)", Required = true, HelpName = "NAME" };
        var roles = new Option<string>("--roles") { Description = "Comma-separated roles: node, gateway", DefaultValueFactory = _ => RoleNames.Node, HelpName = "ROLES" };
        var days = Options.BoundedInt("--days", "Validity in days from now", 1, 36_500, null, "D");
        var serial = new Option<ulong?>("--serial") { Description = "Certificate serial (default: the current Unix time)", HelpName = "S" };
        var output = new Option<string>("--out") { Description = "Where to write the certificate", Required = true, HelpName = "FILE" };
        var force = CeremonyCommand.ForceOption();
        var command = new Command("issue", "Sign a membership certificate for a node") { authorityKey, nodeId, wgKey, name, roles, days, serial, output, force };
        command.SetAction((parse, _) => CeremonyCommand.RunAsync(terminal, async () =>
        {
            using var authority = KeyFiles.ReadSigningKey(parse.GetValue(authorityKey)!);
            var node = ParseNodeId(parse.GetValue(nodeId)!);
            byte[] wireGuard = ParseWireGuardKey(parse.GetValue(wgKey)!);
            string certName = CheckName(parse.GetValue(name)!);
            if (!RoleNames.TryParse(parse.GetValue(roles)!, out var parsedRoles, out string? roleError))
                throw new UsageException("--roles: " + roleError);
            var now = time.GetUtcNow();
            ulong certSerial = parse.GetValue(serial) ?? (ulong)now.ToUnixTimeSeconds();
            var certificate = Authority(authority, ca => ca.Issue(node, wireGuard, certName, parsedRoles, certSerial,
                now.AddSeconds(-ClockSkewAllowanceSeconds), now.AddDays(parse.GetValue(days))));
            string path = parse.GetValue(output)!;
            SecureFile.WriteAtomically(path, CertificateFiles.Serialize(certificate), SecureFile.PublicMode, parse.GetValue(force));
            await terminal.Out.WriteLineAsync($"issued certificate serial {certificate.Serial} for {certificate.Name} ({string.Join(",", RoleNames.Format(certificate.Roles))}),"
                + $" valid until {Format.UnixSeconds(certificate.NotAfterUnixSeconds)}").ConfigureAwait(false);
            await terminal.Out.WriteLineAsync($"wrote {path}").ConfigureAwait(false);
            return ExitCodes.Ok;
        }));
        return command;
    }

    private static Command Revoke(Terminal terminal, TimeProvider time)
    {
        var authorityKey = AuthorityKeyOption();
        var nodeId = NodeIdOption();
        var serial = new Option<ulong>("--serial") { Description = "The certificate serial to revoke (default 0: every certificate of the node)", HelpName = "S" };
        var reason = new Option<string>("--reason") { Description = "Why (kept in the revocation, shown in events)", Required = true, HelpName = "R" };
        var output = new Option<string>("--out") { Description = "Where to write the revocation", HelpName = "FILE" };
        var submit = new Option<bool>("--submit") { Description = "Also hand the revocation to the running evernetd, which gossips it to the mesh" };
        var socket = DaemonCommands.SocketOption();
        var force = CeremonyCommand.ForceOption();
        var command = new Command("revoke", "Sign a revocation of a node's certificate(s)") { authorityKey, nodeId, serial, reason, output, submit, socket, force };
        command.Validators.Add(result =>
        {
            if (result.GetResult(output) is null && result.GetResult(submit) is null)
                result.AddError("give --out FILE, --submit, or both");
        });
        command.SetAction((parse, ct) => CeremonyCommand.RunAsync(terminal, async () =>
        {
            using var authority = KeyFiles.ReadSigningKey(parse.GetValue(authorityKey)!);
            var node = ParseNodeId(parse.GetValue(nodeId)!);
            string why = parse.GetValue(reason)!;
            if (Encoding.UTF8.GetByteCount(why) > CertificateFiles.MaxTextBytes || why.Any(char.IsControl))
                throw new UsageException($"--reason must be at most {CertificateFiles.MaxTextBytes} UTF-8 bytes of printable characters");
            var revocation = Authority(authority, ca => ca.Revoke(node, parse.GetValue(serial), time.GetUtcNow(), why));
            string what = revocation.Serial == 0 ? "every certificate" : $"certificate serial {revocation.Serial}";
            if (parse.GetValue(output) is { } path)
            {
                SecureFile.WriteAtomically(path, CertificateFiles.Serialize(revocation), SecureFile.PublicMode, parse.GetValue(force));
                await terminal.Out.WriteLineAsync($"revoked {what} of node {node.Fingerprint}; wrote {path}").ConfigureAwait(false);
            }
            if (!parse.GetValue(submit)) return ExitCodes.Ok;
            return await SubmitAsync(terminal, parse.GetValue(socket)!, CertificateFiles.ToFile(revocation), ct).ConfigureAwait(false);
        }));
        return command;
    }

    private static Command Submit(Terminal terminal)
    {
        var file = new Argument<string>("FILE") { Description = "A revocation file (from cert revoke)" };
        var socket = DaemonCommands.SocketOption();
        var command = new Command("submit", "Hand an existing revocation file to the running evernetd") { file, socket };
        command.SetAction((parse, ct) => CeremonyCommand.RunAsync(terminal, async () =>
        {
            string path = parse.GetValue(file)!;
            var revocation = CertificateFiles.DeserializeRevocationFile(ReadAll(path), path);
            return await SubmitAsync(terminal, parse.GetValue(socket)!, revocation, ct).ConfigureAwait(false);
        }));
        return command;
    }

    private static Task<int> SubmitAsync(Terminal terminal, string socketPath, RevocationFile revocation, CancellationToken ct) =>
        DaemonCommands.WithClientAsync(socketPath, terminal, async client =>
        {
            var answer = await client.SubmitRevocationAsync(revocation, ct).ConfigureAwait(false);
            await terminal.Out.WriteLineAsync(answer.Accepted
                ? "evernetd accepted the revocation and gossips it to the mesh"
                : "evernetd already had this revocation").ConfigureAwait(false);
            return ExitCodes.Ok;
        });

    private static Command Show(Terminal terminal, TimeProvider time)
    {
        var file = new Argument<string>("FILE") { Description = "A certificate or revocation file" };
        var authorityOption = new Option<string>("--authority") { Description = "Check the signature against this authority: 64 hex digits, or its authority.pub file", HelpName = "PUBHEX" };
        var command = new Command("show", "Decode a certificate or revocation; exits 1 when it does not verify or is not valid now") { file, authorityOption };
        command.SetAction((parse, _) => CeremonyCommand.RunAsync(terminal, async () =>
        {
            string path = parse.GetValue(file)!;
            byte[] json = ReadAll(path);
            NodeId? authority = parse.GetValue(authorityOption) is { } a ? ParsePublicKey(a, "--authority") : null;
            var lines = new List<string>();
            bool good = FormatOf(json, path) == CertificateFiles.RevocationFormat
                ? ShowRevocation(CertificateFiles.DeserializeRevocation(json, path), authority, terminal, lines)
                : ShowCertificate(CertificateFiles.DeserializeCertificate(json, path), authority, time.GetUtcNow().ToUnixTimeSeconds(), terminal, lines);
            foreach (string line in lines) await terminal.Out.WriteLineAsync(line).ConfigureAwait(false);
            return good ? ExitCodes.Ok : ExitCodes.Degraded;
        }));
        return command;
    }

    private static bool ShowCertificate(MembershipCertificate c, NodeId? authority, long now, Terminal terminal, List<string> lines)
    {
        lines.Add($"certificate  {CertificateFiles.CertificateFormat} v{CertificateFiles.FormatVersion}");
        lines.Add($"name         {c.Name}");
        lines.Add($"node id      {c.Node.ToHex()}");
        lines.Add($"fingerprint  {c.Node.Fingerprint}");
        lines.Add($"roles        {string.Join(",", RoleNames.Format(c.Roles))}");
        lines.Add($"wireguard    {Convert.ToBase64String(c.WireGuardPublicKey.Span)}");
        lines.Add($"serial       {c.Serial}");
        lines.Add($"not before   {Format.UnixSeconds(c.NotBeforeUnixSeconds)}");
        lines.Add($"not after    {Format.UnixSeconds(c.NotAfterUnixSeconds)}");
        bool valid = c.IsValidAt(now);
        string validity = now < c.NotBeforeUnixSeconds
            ? terminal.Red($"not yet valid (starts in {Format.Age(c.NotBeforeUnixSeconds - now)})")
            : now >= c.NotAfterUnixSeconds
                ? terminal.Red($"expired {Format.Age(now - c.NotAfterUnixSeconds)} ago")
                : terminal.Green($"valid now ({Format.Age(c.NotAfterUnixSeconds - now)} left)");
        lines.Add($"validity     {validity}");
        lines.Add($"authority    {c.Authority.ToHex()}");
        bool verified = Verify(authority, c.Authority, () => Signing.VerifyCertificate(c, new Ed25519Verifier()), terminal, lines);
        return valid && verified;
    }

    private static bool ShowRevocation(Revocation r, NodeId? authority, Terminal terminal, List<string> lines)
    {
        lines.Add($"revocation   {CertificateFiles.RevocationFormat} v{CertificateFiles.FormatVersion}");
        lines.Add($"node id      {r.Node.ToHex()}");
        lines.Add($"fingerprint  {r.Node.Fingerprint}");
        lines.Add($"serial       {(r.Serial == 0 ? "0 (every certificate of the node)" : r.Serial.ToString(System.Globalization.CultureInfo.InvariantCulture))}");
        lines.Add($"revoked at   {Format.UnixSeconds(r.RevokedAtUnixSeconds)}");
        lines.Add($"reason       {r.Reason}");
        lines.Add($"authority    {r.Authority.ToHex()}");
        return Verify(authority, r.Authority, () => Signing.VerifyRevocation(r, new Ed25519Verifier()), terminal, lines);
    }

    private static bool Verify(NodeId? expected, NodeId signer, Func<bool> verify, Terminal terminal, List<string> lines)
    {
        if (expected is not { } authority)
        {
            lines.Add("signature    not checked (give --authority to verify)");
            return true;
        }
        if (authority != signer)
        {
            lines.Add("signature    " + terminal.Red($"signed by another authority, not {authority.Fingerprint}"));
            return false;
        }
        if (!verify())
        {
            lines.Add("signature    " + terminal.Red($"DOES NOT VERIFY against authority {authority.Fingerprint}"));
            return false;
        }
        lines.Add("signature    " + terminal.Green($"verifies against authority {authority.Fingerprint}"));
        return true;
    }

    private static string FormatOf(byte[] json, string path)
    {
        try
        {
            using var document = JsonDocument.Parse(json);
            return document.RootElement.ValueKind == JsonValueKind.Object
                && document.RootElement.TryGetProperty("format", out var format) && format.ValueKind == JsonValueKind.String
                ? format.GetString()!
                : throw new CertificateFileException($"{path}: not a certificate or revocation file (no \"format\")");
        }
        catch (JsonException ex)
        {
            throw new CertificateFileException($"{path}: not JSON: {ex.Message}", ex);
        }
    }

    private static byte[] ReadAll(string path)
    {
        try
        {
            var info = new FileInfo(path);
            if (!info.Exists) throw new CertificateFileException($"{path}: no such file");
            if (info.Length > 64 * 1024) throw new CertificateFileException($"{path}: too large to be a certificate or revocation");
            return File.ReadAllBytes(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new CertificateFileException($"{path}: cannot read: {ex.Message}", ex);
        }
    }

    /// <summary>The authority's checks (serial 0, empty window, sizes) refuse bad arguments: that is a usage error.</summary>
    private static T Authority<T>(NodeKeyPair key, Func<CertificateAuthority, T> issue)
    {
        try
        {
            return issue(new CertificateAuthority(key));
        }
        catch (ArgumentException ex)
        {
            throw new UsageException(ex.Message);
        }
    }

    private static NodeId ParseNodeId(string value) => ParsePublicKey(value, "--node-id");

    private static NodeId ParsePublicKey(string value, string option)
    {
        if (NodeId.TryParseHex(value.Trim(), out var id)) return id;
        if (File.Exists(value)) return KeyFiles.ReadPublicId(value);
        throw new UsageException($"{option}: '{value}' is neither {NodeId.Size * 2} hex digits nor a public key file");
    }

    private static byte[] ParseWireGuardKey(string value)
    {
        if (WireGuardKeyPair.TryDecodeKey(value, out byte[] key)) return key;
        if (File.Exists(value) && WireGuardKeyPair.TryDecodeKey(Encoding.ASCII.GetString(ReadAll(value)), out key)) return key;
        throw new UsageException($"--wg-public-key: '{value}' is neither a 32-byte base64 key nor a file holding one");
    }

    private static string CheckName(string name)
    {
        try
        {
            return CertificateFiles.CheckName(name, "--name");
        }
        catch (CertificateFileException ex)
        {
            throw new UsageException(ex.Message);
        }
    }
}
