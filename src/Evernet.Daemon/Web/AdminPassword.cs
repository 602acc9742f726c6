using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Evernet.Daemon.Web;

/// <summary>A parsed admin password hash: PBKDF2-HMAC-SHA256 with its salt and iteration count.</summary>
public sealed record AdminPasswordHash(int Iterations, ReadOnlyMemory<byte> Salt, ReadOnlyMemory<byte> Hash);

/// <summary>
/// The admin password as stored in the config: "pbkdf2-sha256$iterations$salt_b64$hash_b64" (standard base64, padded).
/// Only the hash is stored; <see cref="Create"/> makes one (<c>evernetd --hash-password</c>), <see cref="Verify"/> checks a login.
/// </summary>
public static class AdminPassword
{
    public const string Scheme = "pbkdf2-sha256";

    /// <summary>OWASP's 2023 figure for PBKDF2-HMAC-SHA256. A slow router may want fewer; the count is stored in the hash.</summary>
    public const int DefaultIterations = 600_000;

    /// <summary>Below this a stolen config is too cheap to brute-force; such hashes are refused.</summary>
    public const int MinIterations = 10_000;

    /// <summary>Above this one login would stall a router for minutes.</summary>
    public const int MaxIterations = 10_000_000;

    public const int SaltBytes = 16;
    public const int HashBytes = 32;

    /// <summary>Longest password accepted, in UTF-8 bytes: bounds the work an unauthenticated login can cause.</summary>
    public const int MaxPasswordBytes = 1024;

    public static string Create(string password, int iterations = DefaultIterations)
    {
        ArgumentNullException.ThrowIfNull(password);
        if (password.Length == 0) throw new ArgumentException("the password is empty", nameof(password));
        if (Encoding.UTF8.GetByteCount(password) > MaxPasswordBytes)
            throw new ArgumentException($"the password is longer than {MaxPasswordBytes} bytes", nameof(password));
        ArgumentOutOfRangeException.ThrowIfLessThan(iterations, MinIterations);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(iterations, MaxIterations);
        byte[] salt = RandomNumberGenerator.GetBytes(SaltBytes);
        byte[] hash = Derive(password, salt, iterations, HashBytes);
        return string.Create(CultureInfo.InvariantCulture, $"{Scheme}${iterations}${Convert.ToBase64String(salt)}${Convert.ToBase64String(hash)}");
    }

    public static bool TryParse(string? encoded, out AdminPasswordHash hash, out string error)
    {
        hash = new AdminPasswordHash(0, ReadOnlyMemory<byte>.Empty, ReadOnlyMemory<byte>.Empty);
        error = "";
        string[] parts = (encoded ?? "").Split('$');
        if (parts.Length != 4)
        {
            error = $"expected {Scheme}$iterations$salt_b64$hash_b64 (make one with evernetd --hash-password)";
            return false;
        }
        if (parts[0] != Scheme)
        {
            error = $"unknown scheme '{parts[0]}', expected {Scheme}";
            return false;
        }
        if (!int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out int iterations)
            || iterations < MinIterations || iterations > MaxIterations)
        {
            error = $"iterations '{parts[1]}' must be a number from {MinIterations} to {MaxIterations}";
            return false;
        }
        byte[]? salt = FromBase64(parts[2]);
        if (salt is null || salt.Length < SaltBytes)
        {
            error = $"the salt must be base64 of at least {SaltBytes} bytes";
            return false;
        }
        byte[]? digest = FromBase64(parts[3]);
        if (digest is null || digest.Length < 16 || digest.Length > 64)
        {
            error = "the hash must be base64 of 16 to 64 bytes";
            return false;
        }
        hash = new AdminPasswordHash(iterations, salt, digest);
        return true;
    }

    /// <summary>True when <paramref name="password"/> matches. Compares in constant time; false for a password that is too long.</summary>
    public static bool Verify(string password, AdminPasswordHash hash)
    {
        ArgumentNullException.ThrowIfNull(password);
        ArgumentNullException.ThrowIfNull(hash);
        if (Encoding.UTF8.GetByteCount(password) > MaxPasswordBytes) return false;
        byte[] candidate = Derive(password, hash.Salt.Span, hash.Iterations, hash.Hash.Length);
        return CryptographicOperations.FixedTimeEquals(candidate, hash.Hash.Span);
    }

    /// <summary>
    /// What <c>evernetd --hash-password</c> does: reads the password (twice, without echo, from a terminal; one line from
    /// redirected input), prints the hash line for the config on <paramref name="output"/>. Returns the exit code.
    /// </summary>
    public static int RunHashPasswordCommand(TextReader input, TextWriter output, TextWriter error, bool interactive, int iterations = DefaultIterations)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(error);
        string? password;
        if (interactive)
        {
            password = ReadHidden(error, "New web admin password: ");
            string? again = ReadHidden(error, "Repeat: ");
            if (password != again)
            {
                error.WriteLine("evernetd: the passwords differ");
                return 2;
            }
        }
        else
        {
            password = input.ReadLine();
        }
        if (string.IsNullOrEmpty(password))
        {
            error.WriteLine("evernetd: no password given (type it, or pipe it as one line on standard input)");
            return 2;
        }
        if (Encoding.UTF8.GetByteCount(password) > MaxPasswordBytes)
        {
            error.WriteLine($"evernetd: the password is longer than {MaxPasswordBytes} bytes");
            return 2;
        }
        if (iterations < MinIterations || iterations > MaxIterations)
        {
            error.WriteLine($"evernetd: iterations must be from {MinIterations} to {MaxIterations}");
            return 2;
        }
        output.WriteLine(Create(password, iterations));
        return 0;
    }

    private static byte[] Derive(string password, ReadOnlySpan<byte> salt, int iterations, int length) =>
        Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(password), salt, iterations, HashAlgorithmName.SHA256, length);

    private static byte[]? FromBase64(string text)
    {
        var buffer = new byte[(text.Length * 3 / 4) + 3];
        return Convert.TryFromBase64String(text, buffer, out int written) ? buffer[..written] : null;
    }

    private static string? ReadHidden(TextWriter prompt, string label)
    {
        prompt.Write(label);
        prompt.Flush();
        var text = new StringBuilder();
        while (true)
        {
            var key = Console.ReadKey(intercept: true);
            if (key.Key == ConsoleKey.Enter) break;
            if (key.Key == ConsoleKey.Backspace)
            {
                if (text.Length > 0) text.Length--;
                continue;
            }
            if (!char.IsControl(key.KeyChar)) text.Append(key.KeyChar);
        }
        prompt.WriteLine();
        return text.ToString();
    }
}
