using Evernet.Daemon.Web;

namespace Evernet.Web.Tests.Units;

public sealed class AdminPasswordTests
{
    // Computed independently with Python's hashlib.pbkdf2_hmac("sha256", "pässwörd".encode(), bytes(range(16)), 10000, 32).
    private const string KnownHash = "pbkdf2-sha256$10000$AAECAwQFBgcICQoLDA0ODw==$KLMvGf4R1TBSyn7huBjT4GDghp5G4+Ww7woo5WsBalo=";

    [Fact]
    public void Verifies_a_hash_made_by_another_implementation()
    {
        Assert.True(AdminPassword.TryParse(KnownHash, out var hash, out string error), error);
        Assert.Equal(10_000, hash.Iterations);
        Assert.True(AdminPassword.Verify("pässwörd", hash));
        Assert.False(AdminPassword.Verify("passwörd", hash));
        Assert.False(AdminPassword.Verify("", hash));
    }

    [Fact]
    public void Created_hash_has_the_documented_format_and_verifies()
    {
        string encoded = AdminPassword.Create("s3cret", AdminPassword.MinIterations);
        string[] parts = encoded.Split('$');
        Assert.Equal(["pbkdf2-sha256", "10000"], parts[..2]);
        Assert.Equal(AdminPassword.SaltBytes, Convert.FromBase64String(parts[2]).Length);
        Assert.Equal(AdminPassword.HashBytes, Convert.FromBase64String(parts[3]).Length);
        Assert.True(AdminPassword.TryParse(encoded, out var hash, out _));
        Assert.True(AdminPassword.Verify("s3cret", hash));
        Assert.False(AdminPassword.Verify("s3cret ", hash));
    }

    [Fact]
    public void Same_password_gets_a_new_salt_each_time()
    {
        Assert.NotEqual(AdminPassword.Create("x", AdminPassword.MinIterations), AdminPassword.Create("x", AdminPassword.MinIterations));
    }

    [Theory]
    [InlineData("", "expected")]
    [InlineData("plaintext", "expected")]
    [InlineData("bcrypt$10000$AAECAwQFBgcICQoLDA0ODw==$KLMvGf4R1TBSyn7huBjT4GDghp5G4+Ww7woo5WsBalo=", "unknown scheme")]
    [InlineData("pbkdf2-sha256$1000$AAECAwQFBgcICQoLDA0ODw==$KLMvGf4R1TBSyn7huBjT4GDghp5G4+Ww7woo5WsBalo=", "iterations")]
    [InlineData("pbkdf2-sha256$-5$AAECAwQFBgcICQoLDA0ODw==$KLMvGf4R1TBSyn7huBjT4GDghp5G4+Ww7woo5WsBalo=", "iterations")]
    [InlineData("pbkdf2-sha256$99999999999$AAECAwQFBgcICQoLDA0ODw==$KLMvGf4R1TBSyn7huBjT4GDghp5G4+Ww7woo5WsBalo=", "iterations")]
    [InlineData("pbkdf2-sha256$10000$AAECAw==$KLMvGf4R1TBSyn7huBjT4GDghp5G4+Ww7woo5WsBalo=", "salt")]
    [InlineData("pbkdf2-sha256$10000$not base64!$KLMvGf4R1TBSyn7huBjT4GDghp5G4+Ww7woo5WsBalo=", "salt")]
    [InlineData("pbkdf2-sha256$10000$AAECAwQFBgcICQoLDA0ODw==$", "hash")]
    [InlineData("pbkdf2-sha256$10000$AAECAwQFBgcICQoLDA0ODw==$KLMv$extra", "expected")]
    public void Malformed_hashes_are_refused_with_a_reason(string encoded, string reason)
    {
        Assert.False(AdminPassword.TryParse(encoded, out _, out string error));
        Assert.Contains(reason, error, StringComparison.Ordinal);
    }

    [Fact]
    public void Overlong_passwords_are_refused_without_hashing()
    {
        Assert.True(AdminPassword.TryParse(KnownHash, out var hash, out _));
        Assert.False(AdminPassword.Verify(new string('a', AdminPassword.MaxPasswordBytes + 1), hash));
        Assert.Throws<ArgumentException>(() => AdminPassword.Create(new string('a', AdminPassword.MaxPasswordBytes + 1)));
        Assert.Throws<ArgumentOutOfRangeException>(() => AdminPassword.Create("x", AdminPassword.MinIterations - 1));
    }

    [Fact]
    public void Hash_password_command_reads_one_line_and_prints_the_config_value()
    {
        var output = new StringWriter();
        var error = new StringWriter();
        int code = AdminPassword.RunHashPasswordCommand(new StringReader("hunter2\nignored\n"), output, error, interactive: false, iterations: AdminPassword.MinIterations);
        Assert.Equal(0, code);
        Assert.Equal("", error.ToString());
        string line = output.ToString().TrimEnd('\n');
        Assert.True(AdminPassword.TryParse(line, out var hash, out _));
        Assert.True(AdminPassword.Verify("hunter2", hash));
    }

    [Fact]
    public void Hash_password_command_refuses_empty_input()
    {
        var output = new StringWriter();
        var error = new StringWriter();
        Assert.Equal(2, AdminPassword.RunHashPasswordCommand(new StringReader(""), output, error, interactive: false));
        Assert.Equal("", output.ToString());
        Assert.Contains("no password", error.ToString(), StringComparison.Ordinal);
    }
}
