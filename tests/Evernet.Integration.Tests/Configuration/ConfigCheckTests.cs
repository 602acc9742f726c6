using Evernet.Daemon.Configuration;
using Evernet.Daemon.State;
using Evernet.Gossip.Identity;

namespace Evernet.Integration.Tests.Configuration;

public sealed class ConfigCheckTests
{
    private static readonly Dictionary<string, string> NoEnvironment = new();
    private static readonly TimeProvider Now = new FixedClock(DateTimeOffset.FromUnixTimeSeconds(1_750_000_000));

    private sealed class FixedClock(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }

    private static void WriteCertificate(string path, NodeId authority, string name = "router-17", NodeRoles roles = NodeRoles.Node, long notAfter = 1_800_000_000)
    {
        using var node = NodeKeyPair.Generate();
        Evernet.Control.CertificateFiles.WriteCertificate(path, new MembershipCertificate(node.Id, new byte[32], name, roles, 1, 1_700_000_000, notAfter, authority, new byte[64]));
    }

    [Fact]
    public void A_valid_config_with_a_matching_certificate_exits_0()
    {
        using var files = new ConfigFiles();
        var path = files.Minimal();
        NodeId.TryParseHex(ConfigFiles.Authority, out var authority);
        WriteCertificate(Path.Combine(files.Directory, "node.cert"), authority);
        var (exit, messages) = ConfigCheck.Run(["--check-config", "--config", path], NoEnvironment, Now);
        Assert.Equal(0, exit);
        Assert.Equal([$"{path}: configuration is valid"], messages);
    }

    [Fact]
    public void An_invalid_config_exits_1_with_every_reason()
    {
        using var files = new ConfigFiles();
        var path = files.Minimal("\"role\": \"gateway\", \"clientPrefixes\": [ \"xyz\" ]");
        var (exit, messages) = ConfigCheck.Run(["--config", path], NoEnvironment, Now);
        Assert.Equal(1, exit);
        Assert.Equal($"{path}: configuration is invalid", messages[0]);
        Assert.Contains("  clientPrefixes[0]: 'xyz' is not a prefix in CIDR notation without host bits (e.g. 10.17.0.0/24)", messages);
        Assert.Contains("  gateway.capacityDownBps: must be > 0 when role is gateway", messages);
    }

    [Fact]
    public void A_missing_certificate_is_a_warning_a_foreign_or_broken_one_an_error()
    {
        using var files = new ConfigFiles();
        var path = files.Minimal();
        var cert = Path.Combine(files.Directory, "node.cert");
        var (exit, messages) = ConfigCheck.Run(["--config", path], NoEnvironment, Now);
        Assert.Equal(0, exit);
        Assert.Contains(messages, m => m.StartsWith("warning: certificateFile:", StringComparison.Ordinal) && m.Contains("does not exist"));

        using var stranger = NodeKeyPair.Generate();
        WriteCertificate(cert, stranger.Id);
        (exit, messages) = ConfigCheck.Run(["--config", path], NoEnvironment, Now);
        Assert.Equal(1, exit);
        Assert.Contains(messages, m => m.Contains("which is not among authorities"));

        File.WriteAllText(cert, "{ broken");
        (exit, messages) = ConfigCheck.Run(["--config", path], NoEnvironment, Now);
        Assert.Equal(1, exit);
        Assert.True(messages.Any(m => m.StartsWith($"  certificateFile: {cert}: not a valid file", StringComparison.Ordinal)), string.Join("\n", messages));
    }

    [Fact]
    public void Certificate_mismatches_are_warned_about()
    {
        using var files = new ConfigFiles();
        var path = files.Minimal();
        NodeId.TryParseHex(ConfigFiles.Authority, out var authority);
        WriteCertificate(Path.Combine(files.Directory, "node.cert"), authority, name: "router-18", roles: NodeRoles.Gateway, notAfter: 1_740_000_000);
        var (exit, messages) = ConfigCheck.Run(["--config", path], NoEnvironment, Now);
        Assert.Equal(0, exit);
        Assert.Contains(messages, m => m.Contains("is not valid now"));
        Assert.Contains(messages, m => m.Contains("differs from the certificate's name 'router-18'"));
        Assert.Contains(messages, m => m.StartsWith("warning: role:", StringComparison.Ordinal));
    }

    [Fact]
    public void A_bad_flag_is_reported()
    {
        var (exit, messages) = ConfigCheck.Run(["--check-config", "--config"], NoEnvironment, Now);
        Assert.Equal(1, exit);
        Assert.Contains("  --config needs a file path", messages);
    }
}
