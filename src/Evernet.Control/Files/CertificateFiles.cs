using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Evernet.Control.Protocol;
using Evernet.Gossip.Identity;

namespace Evernet.Control;

/// <summary>
/// Reads and writes certificate and revocation files (the JSON format documented in docs/control-protocol.md), shared by
/// evernetctl (which issues them) and evernetd (which loads them). Reading validates shape and sizes, not signatures:
/// verification is the trust store's job. Every failure is a <see cref="CertificateFileException"/> naming the file.
/// </summary>
public static class CertificateFiles
{
    public const string CertificateFormat = "evernet-certificate";
    public const string RevocationFormat = "evernet-revocation";
    public const int FormatVersion = 1;
    private const int SignatureSize = Gossip.Wire.WireLimits.SignatureSize;
    private const int WireGuardKeySize = Gossip.Wire.WireLimits.WireGuardKeySize;
    /// <summary>Names and reasons travel in gossip: at most this many UTF-8 bytes (the wire limit).</summary>
    public const int MaxTextBytes = Gossip.Wire.WireLimits.MaxStringBytes;

    public static CertificateFile ToFile(MembershipCertificate certificate) => new(
        CertificateFormat,
        FormatVersion,
        certificate.Node.ToHex(),
        Convert.ToBase64String(certificate.WireGuardPublicKey.Span),
        certificate.Name,
        RoleNames.Format(certificate.Roles),
        certificate.Serial,
        certificate.NotBeforeUnixSeconds,
        certificate.NotAfterUnixSeconds,
        certificate.Authority.ToHex(),
        Convert.ToBase64String(certificate.Signature.Span));

    public static RevocationFile ToFile(Revocation revocation) => new(
        RevocationFormat,
        FormatVersion,
        revocation.Node.ToHex(),
        revocation.Serial,
        revocation.RevokedAtUnixSeconds,
        revocation.Reason,
        revocation.Authority.ToHex(),
        Convert.ToBase64String(revocation.Signature.Span));

    /// <param name="source">Names the input in error messages (usually the file path).</param>
    public static MembershipCertificate ToCertificate(CertificateFile file, string source)
    {
        ArgumentNullException.ThrowIfNull(file);
        CheckFormat(file.Format, file.Version, CertificateFormat, source);
        var node = ParseId(file.NodeId, "node_id", source);
        var authority = ParseId(file.Authority, "authority", source);
        byte[] wireGuard = ParseBase64(file.WireguardPublicKey, "wireguard_public_key", WireGuardKeySize, source);
        byte[] signature = ParseBase64(file.Signature, "signature", SignatureSize, source);
        string name = CheckName(file.Name, source);
        if (!RoleNames.TryParse(file.Roles, out var roles, out string? roleError))
            throw new CertificateFileException($"{source}: roles: {roleError}");
        if (file.NotAfterUnixSeconds <= file.NotBeforeUnixSeconds)
            throw new CertificateFileException($"{source}: not_after_unix_seconds must be after not_before_unix_seconds");
        return new MembershipCertificate(node, wireGuard, name, roles, file.Serial, file.NotBeforeUnixSeconds, file.NotAfterUnixSeconds, authority, signature);
    }

    public static Revocation ToRevocation(RevocationFile file, string source)
    {
        ArgumentNullException.ThrowIfNull(file);
        CheckFormat(file.Format, file.Version, RevocationFormat, source);
        var node = ParseId(file.NodeId, "node_id", source);
        var authority = ParseId(file.Authority, "authority", source);
        byte[] signature = ParseBase64(file.Signature, "signature", SignatureSize, source);
        if (file.Reason is null || System.Text.Encoding.UTF8.GetByteCount(file.Reason) > MaxTextBytes || file.Reason.Any(char.IsControl))
            throw new CertificateFileException($"{source}: reason must be at most {MaxTextBytes} UTF-8 bytes of printable characters");
        return new Revocation(node, file.Serial, file.RevokedAtUnixSeconds, file.Reason, authority, signature);
    }

    public static byte[] Serialize(MembershipCertificate certificate) => Serialize(ToFile(certificate), ControlJsonContext.Default.CertificateFile);
    public static byte[] Serialize(Revocation revocation) => Serialize(ToFile(revocation), ControlJsonContext.Default.RevocationFile);

    public static MembershipCertificate DeserializeCertificate(ReadOnlySpan<byte> json, string source) =>
        ToCertificate(Deserialize(json, CertificateFormat, ControlJsonContext.Default.CertificateFile, source), source);

    public static Revocation DeserializeRevocation(ReadOnlySpan<byte> json, string source) =>
        ToRevocation(Deserialize(json, RevocationFormat, ControlJsonContext.Default.RevocationFile, source), source);

    public static RevocationFile DeserializeRevocationFile(ReadOnlySpan<byte> json, string source)
    {
        var file = Deserialize(json, RevocationFormat, ControlJsonContext.Default.RevocationFile, source);
        ToRevocation(file, source); // validate now rather than at the daemon
        return file;
    }

    public static MembershipCertificate ReadCertificate(string path) => DeserializeCertificate(ReadFile(path), path);
    public static Revocation ReadRevocation(string path) => DeserializeRevocation(ReadFile(path), path);

    /// <summary>Certificates and revocations are public: written 0644, atomically (a reader never sees half a file).</summary>
    public static void WriteCertificate(string path, MembershipCertificate certificate) => SecureFile.WriteAtomically(path, Serialize(certificate), SecureFile.PublicMode);
    public static void WriteRevocation(string path, Revocation revocation) => SecureFile.WriteAtomically(path, Serialize(revocation), SecureFile.PublicMode);

    internal static byte[] ReadFile(string path)
    {
        try
        {
            var info = new FileInfo(path);
            if (!info.Exists) throw new CertificateFileException($"{path}: no such file");
            if (info.Length > 64 * 1024) throw new CertificateFileException($"{path}: too large ({info.Length} bytes) to be a certificate, revocation or key file");
            return File.ReadAllBytes(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new CertificateFileException($"{path}: cannot read: {ex.Message}", ex);
        }
    }

    private static byte[] Serialize<T>(T value, JsonTypeInfo<T> type)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
            JsonSerializer.Serialize(writer, value, type);
        buffer.WriteByte((byte)'\n');
        return buffer.ToArray();
    }

    private static T Deserialize<T>(ReadOnlySpan<byte> json, string format, JsonTypeInfo<T> type, string source)
    {
        try
        {
            // Format and version first: a file of another kind or a later version should say so, not list the fields it lacks.
            var reader = new Utf8JsonReader(json);
            using (var document = JsonDocument.ParseValue(ref reader))
            {
                var root = document.RootElement;
                if (root.ValueKind != JsonValueKind.Object) throw new CertificateFileException($"{source}: not a JSON object");
                if (root.TryGetProperty("format", out var f) && f.ValueKind == JsonValueKind.String)
                    CheckFormat(f.GetString()!, root.TryGetProperty("version", out var v) && v.TryGetInt32(out int version) ? version : FormatVersion, format, source);
            }
            return JsonSerializer.Deserialize(json, type) ?? throw new CertificateFileException($"{source}: the file holds null");
        }
        catch (JsonException ex)
        {
            throw new CertificateFileException($"{source}: not a valid file: {ex.Message}", ex);
        }
    }

    private static void CheckFormat(string format, int version, string expected, string source)
    {
        if (format != expected)
            throw new CertificateFileException($"{source}: format is \"{format}\", expected \"{expected}\"");
        if (version != FormatVersion)
            throw new CertificateFileException($"{source}: {expected} version {version} is not supported (this build reads version {FormatVersion})");
    }

    private static NodeId ParseId(string hex, string field, string source) =>
        NodeId.TryParseHex(hex, out var id) ? id : throw new CertificateFileException($"{source}: {field} must be {NodeId.Size * 2} hex digits");

    private static byte[] ParseBase64(string value, string field, int size, string source)
    {
        var bytes = new byte[size];
        if (value is null || !Convert.TryFromBase64String(value, bytes, out int written) || written != size)
            throw new CertificateFileException($"{source}: {field} must be {size} bytes in base64");
        return bytes;
    }

    /// <summary>Checks a node name (certificate "name"); throws naming <paramref name="source"/> when it is empty, too long or has spaces or control characters.</summary>
    public static string CheckName(string name, string source)
    {
        if (string.IsNullOrWhiteSpace(name) || System.Text.Encoding.UTF8.GetByteCount(name) > MaxTextBytes || name.Any(c => char.IsControl(c) || char.IsWhiteSpace(c)))
            throw new CertificateFileException($"{source}: name must be 1 to {MaxTextBytes} UTF-8 bytes, printable, without spaces");
        return name;
    }
}
