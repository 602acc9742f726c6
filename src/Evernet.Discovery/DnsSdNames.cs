using System.Text;
using Makaretu.Dns;

namespace Evernet.Discovery;

/// <summary>The names Evernet uses in DNS-SD (RFC 6763) and the TXT keys it reads and writes.</summary>
public static class DnsSdNames
{
    public static readonly DomainName ServiceType = new("_evernet._udp.local");
    /// <summary>RFC 6763 §9: lets generic browsers (avahi-browse -a) enumerate our service type.</summary>
    public static readonly DomainName ServiceEnumeration = new("_services._dns-sd._udp.local");
    public const string FingerprintKey = "fp";
    public const string ProtocolVersionKey = "pv";
    public const string RoleKey = "role";
    private const int MaxLabelBytes = 63;

    /// <summary>
    /// The instance label for a node name. Makaretu.Dns only reads ASCII labels, so anything else becomes '-'; control
    /// characters are dropped and the label is cut to 63 bytes. Node names are unique per certificate, so no probing.
    /// </summary>
    public static string ToInstanceLabel(string nodeName)
    {
        var label = new StringBuilder(Math.Min(nodeName.Length, MaxLabelBytes));
        foreach (char c in nodeName.Trim())
        {
            if (label.Length == MaxLabelBytes) break;
            if (char.IsControl(c)) continue;
            label.Append(c is >= ' ' and <= '~' ? c : '-');
        }
        return label.Length == 0 ? "evernet" : label.ToString();
    }

    /// <summary>Our host name: derived from the key so that it never collides with the router's own mDNS host name.</summary>
    public static DomainName HostName(string fingerprint) => new($"evernet-{fingerprint}.local");

    public static DomainName InstanceName(string instanceLabel) =>
        DomainName.Join(new DomainName([instanceLabel]), ServiceType);

    public static bool IsValidFingerprint(string? fingerprint) =>
        fingerprint is { Length: 16 } && fingerprint.All(c => c is >= '0' and <= '9' or >= 'a' and <= 'f');

    /// <summary>DNS names compare case-insensitively (ASCII).</summary>
    public static bool NameEquals(DomainName? a, DomainName? b)
    {
        if (a is null || b is null) return false;
        if (a.Labels.Count != b.Labels.Count) return false;
        for (int i = 0; i < a.Labels.Count; i++)
            if (!string.Equals(a.Labels[i], b.Labels[i], StringComparison.OrdinalIgnoreCase)) return false;
        return true;
    }

    /// <summary>The instance label if <paramref name="name"/> is "&lt;label&gt;._evernet._udp.local", else null.</summary>
    public static string? InstanceLabelOf(DomainName? name)
    {
        if (name is null || name.Labels.Count != ServiceType.Labels.Count + 1) return null;
        for (int i = 0; i < ServiceType.Labels.Count; i++)
            if (!string.Equals(name.Labels[i + 1], ServiceType.Labels[i], StringComparison.OrdinalIgnoreCase)) return null;
        return name.Labels[0];
    }

    /// <summary>A case-insensitive dictionary key for a name.</summary>
    public static string Key(DomainName name) => string.Join('.', name.Labels).ToLowerInvariant();
}
