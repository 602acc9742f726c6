using System.Security.Cryptography;
using System.Text;

namespace Evernet.Daemon.State;

/// <summary>
/// A 32-byte secret as one line of base64, mode 0600: the node's Ed25519 seed (node.key) and the WireGuard private key
/// (wireguard.key, directly usable as `wg set IFACE private-key wireguard.key`). Same format evernetctl writes. Like ssh, a key file
/// that group or others can access is refused: a readable key is as good as a leaked one.
/// </summary>
public static class SecretKeyFile
{
    public const int KeySize = 32;
    private const UnixFileMode TooOpen = UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute
        | UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;
    private const int MaxFileBytes = 1024;

    public static byte[] Read(string path)
    {
        if (OperatingSystem.IsWindows()) throw new PlatformNotSupportedException("evernet runs on Linux");
        byte[] raw;
        try
        {
            var info = new FileInfo(path);
            if (!info.Exists) throw new StateFileException($"{path}: key file not found");
            if (info.Length > MaxFileBytes) throw new StateFileException($"{path}: {info.Length} bytes is too large for a key file (corrupt?)");
            var mode = File.GetUnixFileMode(path);
            if ((mode & TooOpen) != 0)
                throw new StateFileException($"{path}: permissions {Convert.ToString((int)mode, 8).PadLeft(4, '0')} are too open for a secret key: chmod 600 {path}");
            raw = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new StateFileException($"{path}: cannot read: {e.Message}", e);
        }
        try
        {
            var key = new byte[KeySize];
            var text = Encoding.ASCII.GetString(raw).Trim();
            if (!Convert.TryFromBase64String(text, key, out int written) || written != KeySize)
                throw new StateFileException($"{path}: corrupt key file: expected one line with a {KeySize}-byte key in base64");
            return key;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(raw);
        }
    }

    public static void Write(string path, ReadOnlySpan<byte> key)
    {
        if (key.Length != KeySize) throw new ArgumentException($"a key is {KeySize} bytes", nameof(key));
        var line = Encoding.ASCII.GetBytes(Convert.ToBase64String(key) + "\n");
        try
        {
            AtomicFile.Write(path, line, AtomicFile.SecretMode);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(line);
        }
    }
}
