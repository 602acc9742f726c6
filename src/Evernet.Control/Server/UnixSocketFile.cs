using System.Runtime.InteropServices;

namespace Evernet.Control.Server;

/// <summary>Ownership of the socket file: chown and group lookup straight from libc (AOT-safe source-generated P/Invoke).</summary>
internal static partial class UnixSocketFile
{
    private const uint Unchanged = uint.MaxValue; // (uid_t)-1 / (gid_t)-1: leave as is

    /// <summary>The gid of <paramref name="group"/>, or null when the system has no such group.</summary>
    public static uint? LookupGroup(string group)
    {
        // getgrnam's result lives in a static buffer: read the gid at once. struct group { char* gr_name; char* gr_passwd; gid_t gr_gid; ... }
        IntPtr entry = GetGroupByName(group);
        if (entry == IntPtr.Zero) return null;
        return unchecked((uint)Marshal.ReadInt32(entry, 2 * IntPtr.Size));
    }

    /// <summary>Gives <paramref name="path"/> group <paramref name="gid"/>, keeping its owner. Throws with errno on failure.</summary>
    public static void SetGroup(string path, uint gid)
    {
        if (Chown(path, Unchanged, gid) != 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            throw new IOException($"chown {path} to gid {gid} failed: {Marshal.GetPInvokeErrorMessage(errno)} (errno {errno})");
        }
    }

    [LibraryImport("libc", EntryPoint = "chown", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Chown(string path, uint owner, uint group);

    [LibraryImport("libc", EntryPoint = "getgrnam", StringMarshalling = StringMarshalling.Utf8)]
    private static partial IntPtr GetGroupByName(string name);
}
