using System.Security.Cryptography;
using System.Text;
using Evernet.Dataplane.State;

namespace Evernet.Dataplane;

/// <summary>
/// Checks a WireGuard private key file (exists, not readable by group or others, holds a key) and returns the key's
/// fingerprint for comparison with the installed one. The key itself never leaves this method.
/// </summary>
internal static class PrivateKeyFile
{
    private const UnixFileMode GroupOrOther =
        UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute
        | UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;

    public static string ReadFingerprint(string path)
    {
        byte[] content;
        try
        {
            if (!OperatingSystem.IsWindows() && (File.GetUnixFileMode(path) & GroupOrOther) != 0)
            {
                throw new DataplaneConfigurationException($"private key file {path} is accessible by group or others: chmod 600 it");
            }

            content = File.ReadAllBytes(path);
        }
        catch (FileNotFoundException)
        {
            throw new DataplaneConfigurationException($"private key file {path} does not exist");
        }
        catch (DirectoryNotFoundException)
        {
            throw new DataplaneConfigurationException($"private key file {path} does not exist");
        }
        catch (UnauthorizedAccessException)
        {
            throw new DataplaneConfigurationException($"private key file {path} is not readable");
        }
        catch (IOException exception)
        {
            throw new DataplaneConfigurationException($"private key file {path} cannot be read: {exception.Message}");
        }

        try
        {
            var fingerprint = InstalledStateParser.KeyFingerprint(Encoding.ASCII.GetString(content));
            return fingerprint ?? throw new DataplaneConfigurationException($"private key file {path} does not hold a base64 WireGuard key");
        }
        finally
        {
            CryptographicOperations.ZeroMemory(content);
        }
    }
}
