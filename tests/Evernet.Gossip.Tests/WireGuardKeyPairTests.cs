using System.Diagnostics;
using Evernet.Gossip.Identity;

namespace Evernet.Gossip.Tests;

public sealed class WireGuardKeyPairTests
{
    private static string RunWgPubkey(string privateKeyBase64)
    {
        var start = new ProcessStartInfo("wg", "pubkey") { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true };
        using var process = Process.Start(start) ?? throw new InvalidOperationException("could not start wg (wireguard-tools must be installed)");
        process.StandardInput.WriteLine(privateKeyBase64);
        process.StandardInput.Close();
        string output = process.StandardOutput.ReadToEnd().Trim();
        Assert.True(process.WaitForExit(10_000), "wg pubkey did not exit");
        Assert.Equal(0, process.ExitCode);
        return output;
    }

    [Fact]
    public void Public_key_matches_what_wg_derives_from_the_exported_private_key()
    {
        using var generated = WireGuardKeyPair.Generate();
        string privateKey = generated.ExportPrivateKeyBase64();
        Assert.Equal(44, privateKey.Length);
        Assert.Equal(44, generated.PublicKeyBase64.Length);
        Assert.Equal(RunWgPubkey(privateKey), generated.PublicKeyBase64);

        using var reloaded = WireGuardKeyPair.FromPrivateKeyBase64(privateKey + "\n");
        Assert.Equal(generated.PublicKeyBase64, reloaded.PublicKeyBase64);
    }

    [Fact]
    public void Seeded_keys_are_deterministic_clamped_and_distinct()
    {
        var seed = new byte[32];
        seed[3] = 7;
        using var a = WireGuardKeyPair.FromSeed(seed);
        using var b = WireGuardKeyPair.FromSeed(seed);
        seed[3] = 8;
        using var c = WireGuardKeyPair.FromSeed(seed);
        Assert.Equal(a.PublicKeyBase64, b.PublicKeyBase64);
        Assert.NotEqual(a.PublicKeyBase64, c.PublicKeyBase64);
        var raw = a.ExportPrivateKey();
        Assert.Equal(0, raw[0] & 7);
        Assert.Equal(0x40, raw[31] & 0xc0);
        Assert.Equal(RunWgPubkey(a.ExportPrivateKeyBase64()), a.PublicKeyBase64);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("not base64 at all, definitely not base64!!!!")]
    [InlineData("AAAA")]
    [InlineData("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=")]
    public void Malformed_keys_are_refused_without_throwing(string? text)
    {
        Assert.False(WireGuardKeyPair.TryDecodeKey(text, out var key));
        Assert.Empty(key);
        Assert.Throws<FormatException>(() => WireGuardKeyPair.FromPrivateKeyBase64(text ?? ""));
    }

    [Fact]
    public void A_wg_key_string_round_trips()
    {
        using var pair = WireGuardKeyPair.Generate();
        Assert.True(WireGuardKeyPair.TryDecodeKey(pair.PublicKeyBase64, out var raw));
        Assert.Equal(pair.PublicKey.ToArray(), raw);
        Assert.Equal(pair.PublicKeyBase64, WireGuardKeyPair.ToBase64(raw));
    }
}
