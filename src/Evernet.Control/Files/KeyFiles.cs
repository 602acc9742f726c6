using System.Text;
using Evernet.Gossip.Identity;

namespace Evernet.Control;

/// <summary>
/// Key files, shared by evernetctl (writes them) and evernetd (reads them). Secrets are one line of base64 (32 bytes),
/// mode 0600; public halves are one line: node ids in hex (64 digits), WireGuard keys in base64 as `wg` prints them,
/// so wireguard.key works directly with `wg set ... private-key`.
/// </summary>
public static class KeyFiles
{
    public const string NodeKeyFileName = "node.key";
    public const string NodePublicFileName = "node.pub";
    public const string WireGuardKeyFileName = "wireguard.key";
    public const string WireGuardPublicFileName = "wireguard.pub";
    public const string AuthorityKeyFileName = "authority.key";
    public const string AuthorityPublicFileName = "authority.pub";
    private const int KeySize = 32;
    private const UnixFileMode TooOpen = UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute
        | UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;

    /// <summary>Writes the secret (0600) and public (0644) halves. Refuses to replace an existing key unless <paramref name="overwrite"/>.</summary>
    public static void WriteSigningKey(string keyPath, string publicPath, NodeKeyPair key, bool overwrite)
    {
        byte[] seed = key.ExportPrivateSeed();
        try
        {
            SecureFile.WriteAtomically(keyPath, Line(Convert.ToBase64String(seed)), SecureFile.SecretMode, overwrite);
        }
        finally
        {
            Array.Clear(seed);
        }
        SecureFile.WriteAtomically(publicPath, Line(key.Id.ToHex()), SecureFile.PublicMode, overwrite);
    }

    public static void WriteWireGuardKey(string keyPath, string publicPath, WireGuardKeyPair key, bool overwrite)
    {
        byte[] secret = Line(key.ExportPrivateKeyBase64());
        try
        {
            SecureFile.WriteAtomically(keyPath, secret, SecureFile.SecretMode, overwrite);
        }
        finally
        {
            Array.Clear(secret);
        }
        SecureFile.WriteAtomically(publicPath, Line(key.PublicKeyBase64), SecureFile.PublicMode, overwrite);
    }

    /// <summary>
    /// An Ed25519 signing key (node or authority). Like ssh, refuses a key file that group or others may access:
    /// a readable key is as good as a leaked one.
    /// </summary>
    public static NodeKeyPair ReadSigningKey(string path)
    {
        byte[] seed = ReadSecret(path);
        try
        {
            return NodeKeyPair.FromPrivateSeed(seed);
        }
        finally
        {
            Array.Clear(seed);
        }
    }

    /// <summary>A WireGuard private key file (base64, as `wg genkey` writes it), with the same permission check as signing keys.</summary>
    public static WireGuardKeyPair ReadWireGuardKey(string path)
    {
        byte[] secret = ReadSecret(path);
        try
        {
            return WireGuardKeyPair.FromPrivateKey(secret);
        }
        finally
        {
            Array.Clear(secret);
        }
    }

    /// <summary>A node id or authority public key: a file holding 64 hex digits, or the 64 hex digits themselves.</summary>
    public static NodeId ReadPublicId(string fileOrHex)
    {
        if (NodeId.TryParseHex(fileOrHex.Trim(), out var direct)) return direct;
        string text = Encoding.ASCII.GetString(CertificateFiles.ReadFile(fileOrHex)).Trim();
        return NodeId.TryParseHex(text, out var id)
            ? id
            : throw new CertificateFileException($"{fileOrHex}: must hold a public key of {NodeId.Size * 2} hex digits");
    }

    private static byte[] ReadSecret(string path)
    {
        if (OperatingSystem.IsWindows()) throw new PlatformNotSupportedException("evernet runs on Linux");
        byte[] raw = CertificateFiles.ReadFile(path);
        try
        {
            var mode = File.GetUnixFileMode(path);
            if ((mode & TooOpen) != 0)
                throw new CertificateFileException(
                    $"{path}: permissions {Convert.ToString((int)mode, 8).PadLeft(4, '0')} are too open for a secret key: chmod 600 {path}");
            string text = Encoding.ASCII.GetString(raw).Trim();
            var key = new byte[KeySize];
            if (!Convert.TryFromBase64String(text, key, out int written) || written != KeySize)
                throw new CertificateFileException($"{path}: must hold a {KeySize}-byte key in base64");
            return key;
        }
        finally
        {
            Array.Clear(raw);
        }
    }

    private static byte[] Line(string text) => Encoding.ASCII.GetBytes(text + "\n");
}
