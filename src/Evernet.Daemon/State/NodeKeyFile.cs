using System.Security.Cryptography;
using Evernet.Gossip.Identity;

namespace Evernet.Daemon.State;

/// <summary>node.key: the node's Ed25519 seed, one line of base64, mode 0600 (see <see cref="SecretKeyFile"/>).</summary>
public static class NodeKeyFile
{
    public static NodeKeyPair Read(string path)
    {
        var seed = SecretKeyFile.Read(path);
        try
        {
            return NodeKeyPair.FromPrivateSeed(seed);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(seed);
        }
    }

    public static void Write(string path, NodeKeyPair key)
    {
        var seed = key.ExportPrivateSeed();
        try
        {
            SecretKeyFile.Write(path, seed);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(seed);
        }
    }

    /// <summary>Reads the key, or generates and stores a new one; <c>Created</c> tells which (a new key means a fresh node).</summary>
    public static (NodeKeyPair Key, bool Created) LoadOrCreate(string path)
    {
        if (File.Exists(path)) return (Read(path), false);
        var key = NodeKeyPair.Generate();
        Write(path, key);
        return (key, true);
    }
}
