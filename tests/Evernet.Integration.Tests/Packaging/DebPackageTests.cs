using System.Text.RegularExpressions;

namespace Evernet.Integration.Tests.Packaging;

/// <summary>
/// The Debian package: its control data and file list as dpkg-deb reads them, and a real `dpkg -i` / `dpkg --purge`
/// with its maintainer scripts, in a throw-away copy-on-write copy of this machine's root (an overlay mounted in a
/// private mount namespace, entered with chroot), so the host's users and files stay untouched.
/// </summary>
[Collection("deb-package")]
public sealed partial class DebPackageTests : IClassFixture<DebPackage>
{
    private readonly DebPackage _package;

    public DebPackageTests(DebPackage package) => _package = package;

    [Fact]
    public async Task Control_data_names_the_runtime_dependencies_and_the_conffile()
    {
        string deb = await _package.PathAsync();
        var fields = await PackagingCommand.RunAsync(["dpkg-deb", "--field", deb, "Package", "Version", "Architecture", "Depends", "Recommends"]);
        Assert.True(fields.ExitCode == 0, fields.ToString());
        var map = fields.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => l.Split(": ", 2)).ToDictionary(p => p[0], p => p[1]);
        Assert.Equal("evernet", map["Package"]);
        Assert.Equal("amd64", map["Architecture"]);
        Assert.Matches(@"^0\.1\.0", map["Version"]);
        var depends = map["Depends"].Split(", ");
        foreach (var needed in new[] { "adduser", "iproute2", "nftables", "wireguard-tools", "procps" }) Assert.Contains(needed, depends);
        Assert.Contains(depends, d => d.StartsWith("libc6 (>= 2.", StringComparison.Ordinal));
        Assert.Contains(depends, d => d.StartsWith("libssl3", StringComparison.Ordinal));
        Assert.Equal("wireguard-go", map["Recommends"]);

        var conffiles = await PackagingCommand.RunAsync(["dpkg-deb", "--info", deb, "conffiles"]);
        Assert.Equal("/etc/evernet/evernetd.json", conffiles.Stdout.Trim());
        var scripts = await PackagingCommand.RunAsync(["dpkg-deb", "--info", deb]);
        foreach (var script in new[] { "postinst", "prerm", "postrm" })
            Assert.Matches(new Regex($@"\d+ bytes,\s+\d+ lines\s+\*\s+{script}\s+#!/bin/sh"), scripts.Stdout);
    }

    [GeneratedRegex(@"^(?<mode>[-dlrwxs]{10}) (?<owner>\S+)\s+(?<size>\d+) \S+ \S+ \.(?<path>/\S*)(?: -> (?<target>\S+))?$", RegexOptions.Multiline)]
    private static partial Regex ContentLine();

    [Fact]
    public async Task The_file_list_has_the_binaries_unit_and_config_with_their_modes_and_nothing_else()
    {
        string deb = await _package.PathAsync();
        var contents = await PackagingCommand.RunAsync(["dpkg-deb", "--contents", deb]);
        Assert.True(contents.ExitCode == 0, contents.ToString());
        var entries = ContentLine().Matches(contents.Stdout).ToDictionary(m => m.Groups["path"].Value.TrimEnd('/'), m => m);
        void Expect(string path, string mode, string? target = null)
        {
            Assert.True(entries.TryGetValue(path, out var m), $"{path} is not in the package:\n{contents.Stdout}");
            Assert.Equal(mode, m.Groups["mode"].Value);
            Assert.Equal("root/root", m.Groups["owner"].Value);
            if (target is not null) Assert.Equal(target, m.Groups["target"].Value);
        }
        Expect("/usr/lib/evernet/evernetd", "-rwxr-xr-x");
        Expect("/usr/lib/evernet/evernetctl", "-rwxr-xr-x");
        Expect("/usr/lib/evernet/libsodium.so", "-rw-r--r--");
        Expect("/usr/bin/evernetd", "lrwxrwxrwx", "../lib/evernet/evernetd");
        Expect("/usr/bin/evernetctl", "lrwxrwxrwx", "../lib/evernet/evernetctl");
        Expect("/lib/systemd/system/evernetd.service", "-rw-r--r--");
        Expect("/etc/evernet/evernetd.json", "-rw-r-----");
        Expect("/usr/share/doc/evernet/copyright", "-rw-r--r--");
        Expect("/usr/share/doc/evernet/examples/evernetd.example.json", "-rw-r--r--");
        // No debug symbols or managed leftovers: NativeAOT binaries only.
        Assert.DoesNotContain(entries.Keys, p => p.EndsWith(".dbg", StringComparison.Ordinal) || p.EndsWith(".pdb", StringComparison.Ordinal) || p.EndsWith(".dll", StringComparison.Ordinal));
        // The state directory is made by postinst (owner evernet), never shipped root-owned.
        Assert.DoesNotContain(entries.Keys, p => p.StartsWith("/var/", StringComparison.Ordinal));
        long daemonSize = long.Parse(entries["/usr/lib/evernet/evernetd"].Groups["size"].Value, System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(daemonSize, 5_000_000, 40_000_000);
    }

    /// <summary>
    /// Runs <paramref name="script"/> in a private mount namespace where an overlay of / is mounted and entered with
    /// chroot: the package's maintainer scripts run for real (adduser, dpkg-statoverride, deb-systemd-helper), and all
    /// they write lands in a temporary upper directory. /run in there is empty, as in an image build: no systemd runs.
    /// </summary>
    private static async Task<PackagingCommand.Result> InOverlayRootAsync(string deb, string script)
    {
        var work = Directory.CreateTempSubdirectory("evernet-deb-root-").FullName;
        try
        {
            File.WriteAllText(Path.Combine(work, "inside.sh"), script);
            string outer = $"""
                set -eu
                w='{work}'
                mkdir -p "$w/upper" "$w/work" "$w/root"
                mount -t overlay overlay -o "lowerdir=/,upperdir=$w/upper,workdir=$w/work" "$w/root"
                mount --bind /dev "$w/root/dev"
                mount -t proc proc "$w/root/proc"
                mount -t tmpfs tmpfs "$w/root/run"
                mount -t tmpfs tmpfs "$w/root/tmp"
                cp '{deb}' "$w/root/tmp/evernet.deb"
                cp "$w/inside.sh" "$w/root/tmp/inside.sh"
                exec chroot "$w/root" /bin/sh /tmp/inside.sh
                """;
            return await PackagingCommand.RunAsync(["unshare", "--mount", "--propagation", "private", "sh", "-c", outer],
                new Dictionary<string, string> { ["DEBIAN_FRONTEND"] = "noninteractive", ["PATH"] = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin" },
                TimeSpan.FromMinutes(3));
        }
        finally
        {
            // The mounts died with the namespace; what is left is plain files.
            await PackagingCommand.RunAsync(["rm", "-rf", work]);
        }
    }

    [Fact]
    public async Task Installing_creates_the_user_and_directories_enables_the_unit_and_purging_removes_it_all()
    {
        string deb = await _package.PathAsync();
        var result = await InOverlayRootAsync(deb, """
            export DEBIAN_FRONTEND=noninteractive
            say() { echo "$*"; }
            dpkg -i /tmp/evernet.deb >/tmp/dpkg.log 2>&1; say "rc install $?"
            say "passwd $(getent passwd evernet)"
            say "group $(getent group evernet | cut -d: -f1)"
            for p in /var/lib/evernet /etc/evernet /etc/evernet/evernetd.json /usr/lib/evernet/evernetd /lib/systemd/system/evernetd.service; do
                say "stat $(stat -c '%n %a %U %G' "$p")"
            done
            say "wants $(readlink /etc/systemd/system/multi-user.target.wants/evernetd.service)"
            dpkg-statoverride --list | sed 's/^/override /'
            say "version $(evernetd --version)"
            evernetd --check-config >/tmp/check.log 2>&1; say "rc check-config $?"
            evernetctl --help >/dev/null 2>&1; say "rc evernetctl $?"
            evernetctl keys generate --out /tmp/keys >/dev/null 2>&1; say "rc keys $?"
            systemd-analyze verify evernetd.service >/tmp/verify.log 2>&1; say "rc verify $?"
            say "verify-output $(wc -c </tmp/verify.log)"
            sed 's/^/verify: /' /tmp/verify.log

            # As the unit runs it: user evernet, only the two capabilities. It reads its configuration through the group.
            setpriv --reuid=evernet --regid=evernet --init-groups --inh-caps=-all,+net_admin,+net_raw \
                --ambient-caps=-all,+net_admin,+net_raw --bounding-set=-all,+net_admin,+net_raw \
                sh -c 'grep CapAmb /proc/self/status; evernetd --check-config' >/tmp/asuser.log 2>&1; say "rc check-config-as-evernet $?"
            sed 's/^/asuser: /' /tmp/asuser.log

            dpkg --purge evernet >/tmp/purge.log 2>&1; say "rc purge $?"
            for p in /usr/bin/evernetd /usr/lib/evernet /lib/systemd/system/evernetd.service /etc/evernet /var/lib/evernet /etc/systemd/system/multi-user.target.wants/evernetd.service; do
                if [ -e "$p" ] || [ -L "$p" ]; then say "left $p"; fi
            done
            say "overrides-left $(dpkg-statoverride --list | grep -c evernet)"
            say "user-after-purge $(getent passwd evernet | cut -d: -f1)"
            sed 's/^/dpkg: /' /tmp/dpkg.log /tmp/purge.log
            sed 's/^/check: /' /tmp/check.log
            """);
        string log = result.ToString();
        Assert.True(result.ExitCode == 0, log);
        var lines = result.Stdout.Split('\n');
        void Has(string line) => Assert.True(lines.Contains(line), $"missing \"{line}\" in\n{log}");

        Has("rc install 0");
        var passwd = lines.Single(l => l.StartsWith("passwd ", StringComparison.Ordinal))["passwd ".Length..].Split(':');
        Assert.True(passwd.Length == 7, log);
        Assert.Equal("evernet", passwd[0]);
        Assert.InRange(int.Parse(passwd[2], System.Globalization.CultureInfo.InvariantCulture), 100, 999); // a system user
        Assert.Equal("/var/lib/evernet", passwd[5]);
        Assert.Equal("/usr/sbin/nologin", passwd[6]);
        Has("group evernet");
        Has("stat /var/lib/evernet 700 evernet evernet");
        Has("stat /etc/evernet 750 root evernet");
        Has("stat /etc/evernet/evernetd.json 640 root evernet");
        Has("stat /usr/lib/evernet/evernetd 755 root root");
        Has("stat /lib/systemd/system/evernetd.service 644 root root");
        Has("wants /lib/systemd/system/evernetd.service");
        Has("override root evernet 750 /etc/evernet");
        Has("override root evernet 640 /etc/evernet/evernetd.json");
        Has("version 0.1.0");
        // The shipped configuration is the annotated example: valid, only the certificate is still missing.
        Has("rc check-config 0");
        Assert.Contains("does not exist yet", log, StringComparison.Ordinal);
        Has("rc evernetctl 0");
        Has("rc keys 0"); // NativeAOT evernetctl finds libsodium.so beside its real path through the /usr/bin symlink
        Has("rc verify 0");
        Has("verify-output 0");
        Has("rc check-config-as-evernet 0");
        Has("asuser: CapAmb:\t0000000000003000");
        Has("rc purge 0");
        Assert.DoesNotContain(lines, l => l.StartsWith("left ", StringComparison.Ordinal));
        Has("overrides-left 0");
        Has("user-after-purge evernet"); // system users stay, as Debian does
    }
}

[CollectionDefinition("deb-package")]
public sealed class DebPackageCollection
{
}
