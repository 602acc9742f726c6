using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using Evernet.Control;
using Evernet.Gossip.Identity;

namespace Evernet.Integration.Tests.Control;

/// <summary>The offline key ceremony, end to end, with the built evernetctl as a real process and the files checked by the real core.</summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class EvernetctlCeremonyTests
{
    private const UnixFileMode Secret = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private const UnixFileMode Public = Secret | UnixFileMode.GroupRead | UnixFileMode.OtherRead;

    [Fact]
    public async Task Authority_keys_certificate_and_revocation_end_to_end()
    {
        await using var sandbox = new ControlSandbox();
        string authorityDir = sandbox.PathOf("authority");
        string nodeDir = sandbox.PathOf("node");

        // Authority.
        var init = await Evernetctl.RunAsync("authority", "init", "--out", authorityDir);
        Assert.True(init.ExitCode == 0, init.Stderr);
        string authorityKey = Path.Combine(authorityDir, "authority.key");
        string authorityPub = Path.Combine(authorityDir, "authority.pub");
        Assert.Equal(Secret, File.GetUnixFileMode(authorityKey));
        Assert.Equal(Public, File.GetUnixFileMode(authorityPub));
        using var authority = KeyFiles.ReadSigningKey(authorityKey);
        Assert.Equal(authority.Id, KeyFiles.ReadPublicId(authorityPub));
        Assert.Contains(authority.Id.ToHex(), init.Stdout);

        // Node keys.
        var keys = await Evernetctl.RunAsync("keys", "generate", "--out", nodeDir);
        Assert.True(keys.ExitCode == 0, keys.Stderr);
        foreach (string secret in new[] { "node.key", "wireguard.key" }) Assert.Equal(Secret, File.GetUnixFileMode(Path.Combine(nodeDir, secret)));
        foreach (string pub in new[] { "node.pub", "wireguard.pub" }) Assert.Equal(Public, File.GetUnixFileMode(Path.Combine(nodeDir, pub)));
        using var node = KeyFiles.ReadSigningKey(Path.Combine(nodeDir, "node.key"));
        Assert.Equal(node.Id, KeyFiles.ReadPublicId(Path.Combine(nodeDir, "node.pub")));
        string wgPublic = File.ReadAllText(Path.Combine(nodeDir, "wireguard.pub")).Trim();
        Assert.Contains($"node id        {node.Id.ToHex()}", keys.Stdout);
        Assert.Contains($"wireguard key  {wgPublic}", keys.Stdout);
        // wg itself derives the same public key from the private key file.
        Assert.Equal(wgPublic, await WgPubkeyAsync(Path.Combine(nodeDir, "wireguard.key")));
        using (var wireGuard = KeyFiles.ReadWireGuardKey(Path.Combine(nodeDir, "wireguard.key")))
            Assert.Equal(wgPublic, wireGuard.PublicKeyBase64);

        // Keys are never replaced by accident.
        byte[] before = File.ReadAllBytes(Path.Combine(nodeDir, "node.key"));
        var again = await Evernetctl.RunAsync("keys", "generate", "--out", nodeDir);
        Assert.Equal(65, again.ExitCode);
        Assert.Contains("already exists", again.Stderr);
        Assert.Equal(before, File.ReadAllBytes(Path.Combine(nodeDir, "node.key")));

        // Certificate: the node id from its node.pub file, the WireGuard key as base64.
        string certPath = sandbox.PathOf("r17.cert");
        var issue = await Evernetctl.RunAsync("cert", "issue", "--authority-key", authorityKey, "--node-id", Path.Combine(nodeDir, "node.pub"),
            "--wg-public-key", wgPublic, "--name", "r17", "--roles", "node,gateway", "--days", "30", "--serial", "5", "--out", certPath);
        Assert.True(issue.ExitCode == 0, issue.Stderr);
        Assert.Equal(Public, File.GetUnixFileMode(certPath));
        var certificate = CertificateFiles.ReadCertificate(certPath);
        Assert.Equal((node.Id, "r17", NodeRoles.Node | NodeRoles.Gateway, 5UL, authority.Id),
            (certificate.Node, certificate.Name, certificate.Roles, certificate.Serial, certificate.Authority));
        Assert.Equal(Convert.FromBase64String(wgPublic), certificate.WireGuardPublicKey.ToArray());
        long now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        Assert.InRange(certificate.NotAfterUnixSeconds - now, 30 * 86_400 - 60, 30 * 86_400 + 60);
        Assert.True(certificate.IsValidAt(now));
        // The daemon's trust store admits what evernetctl issued.
        var trust = new TrustStore([authority.Id]);
        Assert.Equal(AdmissionResult.Valid, trust.Check(certificate, now, new Ed25519Verifier()));

        // cert show: verifies against the right authority (hex or file), not against another one.
        var show = await Evernetctl.RunAsync("cert", "show", certPath, "--authority", authorityPub);
        Assert.True(show.ExitCode == 0, show.Stdout + show.Stderr);
        Assert.Contains("name         r17", show.Stdout);
        Assert.Contains("roles        node,gateway", show.Stdout);
        Assert.Contains($"node id      {node.Id.ToHex()}", show.Stdout);
        Assert.Contains("valid now", show.Stdout);
        Assert.Contains("signature    verifies against authority", show.Stdout);
        Assert.Equal(0, (await Evernetctl.RunAsync("cert", "show", certPath, "--authority", authority.Id.ToHex())).ExitCode);
        var unchecked_ = await Evernetctl.RunAsync("cert", "show", certPath);
        Assert.Equal(0, unchecked_.ExitCode);
        Assert.Contains("not checked", unchecked_.Stdout);
        var otherAuthority = await Evernetctl.RunAsync("cert", "show", certPath, "--authority", node.Id.ToHex());
        Assert.Equal(1, otherAuthority.ExitCode);
        Assert.Contains("signed by another authority", otherAuthority.Stdout);

        // A tampered certificate does not verify.
        var json = JsonNode.Parse(File.ReadAllText(certPath))!;
        json["name"] = "r18";
        string forged = sandbox.PathOf("forged.cert");
        File.WriteAllText(forged, json.ToJsonString());
        var forgedShow = await Evernetctl.RunAsync("cert", "show", forged, "--authority", authorityPub);
        Assert.Equal(1, forgedShow.ExitCode);
        Assert.Contains("DOES NOT VERIFY", forgedShow.Stdout);
        Assert.Equal(AdmissionResult.BadSignature, trust.Check(CertificateFiles.ReadCertificate(forged), now, new Ed25519Verifier()));

        // Revocation: written, shown, verified; and handed to a running daemon over the socket.
        var handler = new TestControlHandler();
        var server = sandbox.Start(handler);
        string revocationPath = sandbox.PathOf("r17.revocation");
        var revoke = await Evernetctl.RunAsync("cert", "revoke", "--authority-key", authorityKey, "--node-id", node.Id.ToHex(), "--serial", "5",
            "--reason", "router stolen", "--out", revocationPath, "--submit", "--socket", server.SocketPath);
        Assert.True(revoke.ExitCode == 0, revoke.Stderr);
        Assert.Contains("evernetd accepted the revocation", revoke.Stdout);
        var revocation = CertificateFiles.ReadRevocation(revocationPath);
        Assert.Equal((node.Id, 5UL, "router stolen", authority.Id), (revocation.Node, revocation.Serial, revocation.Reason, revocation.Authority));
        Assert.True(Signing.VerifyRevocation(revocation, new Ed25519Verifier()));
        var submitted = Assert.Single(handler.Revocations);
        Assert.Equal(revocation.Signature.ToArray(), submitted.Signature.ToArray());
        Assert.True(trust.TryAddRevocation(submitted, new Ed25519Verifier(), out _));
        Assert.Equal(AdmissionResult.Revoked, trust.Check(certificate, now, new Ed25519Verifier()));

        var showRevocation = await Evernetctl.RunAsync("cert", "show", revocationPath, "--authority", authorityPub);
        Assert.True(showRevocation.ExitCode == 0, showRevocation.Stdout);
        Assert.Contains("reason       router stolen", showRevocation.Stdout);
        Assert.Contains("verifies against authority", showRevocation.Stdout);

        // Submitting the same file again: the daemon already has it.
        var resubmit = await Evernetctl.RunAsync("cert", "submit", revocationPath, "--socket", server.SocketPath);
        Assert.Equal(0, resubmit.ExitCode);
        Assert.Contains("already had", resubmit.Stdout);
    }

    [Fact]
    public async Task Bad_ceremony_input_gives_clear_errors()
    {
        await using var sandbox = new ControlSandbox();
        string authorityDir = sandbox.PathOf("authority");
        Assert.Equal(0, (await Evernetctl.RunAsync("authority", "init", "--out", authorityDir)).ExitCode);
        string authorityKey = Path.Combine(authorityDir, "authority.key");
        string hex = new('a', 64);
        string wg = Convert.ToBase64String(new byte[32]);
        string[] Issue(params string[] overrides)
        {
            var args = new Dictionary<string, string>
            {
                ["--authority-key"] = authorityKey, ["--node-id"] = hex, ["--wg-public-key"] = wg, ["--name"] = "r1", ["--days"] = "10", ["--out"] = sandbox.PathOf($"{Guid.NewGuid():N}.cert"),
            };
            for (int i = 0; i < overrides.Length; i += 2) args[overrides[i]] = overrides[i + 1];
            return ["cert", "issue", .. args.SelectMany(kv => new[] { kv.Key, kv.Value })];
        }

        async Task Expect(int exitCode, string message, string[] args)
        {
            var result = await Evernetctl.RunAsync(args);
            Assert.True(result.ExitCode == exitCode, $"evernetctl {string.Join(' ', args)}: exit {result.ExitCode}, stderr {result.Stderr}");
            Assert.Contains(message, result.Stderr);
        }

        // Independent processes: run them side by side.
        await Task.WhenAll(
            Expect(64, "--node-id", Issue("--node-id", "xyz")),
            Expect(64, "--wg-public-key", Issue("--wg-public-key", "short")),
            Expect(64, "unknown role 'pilot'", Issue("--roles", "node,pilot")),
            Expect(64, "--name", Issue("--name", "has space")),
            Expect(64, "--name", Issue("--name", new string('n', 65))),
            Expect(64, "serial 0 is reserved", Issue("--serial", "0")),
            Expect(64, "--days", Issue("--days", "0")),
            Expect(65, "no such file", Issue("--authority-key", sandbox.PathOf("missing.key"))),
            Expect(64, "give --out FILE, --submit, or both", ["cert", "revoke", "--authority-key", authorityKey, "--node-id", hex, "--reason", "x"]));

        // A readable secret key is refused like ssh refuses one.
        File.SetUnixFileMode(authorityKey, Public);
        await Expect(65, "too open", Issue());
        File.SetUnixFileMode(authorityKey, Secret);

        // Files that are not certificates.
        string incomplete = sandbox.PathOf("incomplete.cert");
        File.WriteAllText(incomplete, "{\"format\":\"evernet-certificate\",\"version\":1}");
        string garbage = sandbox.PathOf("garbage.cert");
        File.WriteAllText(garbage, "not json at all");
        string future = sandbox.PathOf("future.cert");
        File.WriteAllText(future, "{\"format\":\"evernet-certificate\",\"version\":9}");
        await Task.WhenAll(
            Expect(65, incomplete, ["cert", "show", incomplete]),
            Expect(65, "not JSON", ["cert", "show", garbage]),
            Expect(65, "version 9 is not supported", ["cert", "show", future]));

        // An expired certificate shows, but exits 1.
        using var authority = KeyFiles.ReadSigningKey(authorityKey);
        var old = new CertificateAuthority(authority).Issue(NodeId.FromBytes(new byte[32].Select((_, i) => (byte)(i + 1)).ToArray()), new byte[32], "old", NodeRoles.Node, 3,
            DateTimeOffset.UtcNow.AddDays(-20), DateTimeOffset.UtcNow.AddDays(-10));
        string oldPath = sandbox.PathOf("old.cert");
        CertificateFiles.WriteCertificate(oldPath, old);
        var expired = await Evernetctl.RunAsync("cert", "show", oldPath, "--authority", authority.Id.ToHex());
        Assert.Equal(1, expired.ExitCode);
        Assert.Contains("expired", expired.Stdout);
        Assert.Contains("verifies", expired.Stdout);
    }

    [Fact]
    public void Certificate_and_revocation_files_round_trip()
    {
        using var authorityKey = NodeKeyPair.Generate();
        var authority = new CertificateAuthority(authorityKey);
        using var node = NodeKeyPair.Generate();
        using var wireGuard = WireGuardKeyPair.Generate();
        var certificate = authority.Issue(node.Id, wireGuard.PublicKey.Span, "gw-north", NodeRoles.Node | NodeRoles.Gateway, 9,
            DateTimeOffset.FromUnixTimeSeconds(1_700_000_000), DateTimeOffset.FromUnixTimeSeconds(1_800_000_000));
        byte[] bytes = CertificateFiles.Serialize(certificate);
        using (var document = JsonDocument.Parse(bytes))
        {
            Assert.Equal(
                ["authority", "format", "name", "node_id", "not_after_unix_seconds", "not_before_unix_seconds", "roles", "serial", "signature", "version", "wireguard_public_key"],
                document.RootElement.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal));
            Assert.Equal("evernet-certificate", document.RootElement.GetProperty("format").GetString());
        }
        var back = CertificateFiles.DeserializeCertificate(bytes, "test");
        Assert.Equal((certificate.Node, certificate.Name, certificate.Roles, certificate.Serial, certificate.NotBeforeUnixSeconds, certificate.NotAfterUnixSeconds, certificate.Authority),
            (back.Node, back.Name, back.Roles, back.Serial, back.NotBeforeUnixSeconds, back.NotAfterUnixSeconds, back.Authority));
        Assert.True(Signing.VerifyCertificate(back, new Ed25519Verifier()));

        var revocation = authority.Revoke(node.Id, 0, DateTimeOffset.FromUnixTimeSeconds(1_750_000_000), "decommissioned");
        var revocationBack = CertificateFiles.DeserializeRevocation(CertificateFiles.Serialize(revocation), "test");
        Assert.True(Signing.VerifyRevocation(revocationBack, new Ed25519Verifier()));

        // Every field is required: a missing one is a clear error, not a default.
        string withoutSerial = JsonNode.Parse(bytes)!.AsObject().Tap(o => o.Remove("serial")).ToJsonString();
        var ex = Assert.Throws<CertificateFileException>(() => CertificateFiles.DeserializeCertificate(System.Text.Encoding.UTF8.GetBytes(withoutSerial), "x.cert"));
        Assert.Contains("serial", ex.Message);
    }

    private static async Task<string> WgPubkeyAsync(string privateKeyFile)
    {
        var start = new ProcessStartInfo("wg", ["pubkey"]) { RedirectStandardInput = true, RedirectStandardOutput = true, UseShellExecute = false };
        using var wg = Process.Start(start) ?? throw new InvalidOperationException("cannot start wg (wireguard-tools)");
        await wg.StandardInput.WriteAsync(await File.ReadAllTextAsync(privateKeyFile));
        wg.StandardInput.Close();
        string output = await wg.StandardOutput.ReadToEndAsync();
        await wg.WaitForExitAsync();
        Assert.Equal(0, wg.ExitCode);
        return output.Trim();
    }
}

internal static class JsonObjectExtensions
{
    public static JsonObject Tap(this JsonObject value, Action<JsonObject> action)
    {
        action(value);
        return value;
    }
}
