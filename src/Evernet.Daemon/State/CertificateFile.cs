using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Evernet.Gossip.Identity;

namespace Evernet.Daemon.State;

/// <summary>
/// The certificate file: a signed <see cref="MembershipCertificate"/> as JSON (UTF-8, snake_case keys), the same format
/// evernetctl writes:
/// <code>
/// {
///   "format": "evernet-certificate", "version": 1,
///   "node_id": "&lt;64 hex&gt;", "wireguard_public_key": "&lt;base64, 32 bytes&gt;", "name": "router-17",
///   "roles": ["node"] or ["node", "gateway"], "serial": 7,
///   "not_before_unix_seconds": 1735689600, "not_after_unix_seconds": 1767225600,
///   "authority": "&lt;64 hex&gt;", "signature": "&lt;base64, 64 bytes&gt;"
/// }
/// </code>
/// Reading checks shape and sizes, not the signature (that is the trust store's job). Self-contained: only the Gossip
/// contract types, so evernetctl can share this file. Every failure is a <see cref="StateFileException"/> naming the file.
/// </summary>
public static class CertificateFile
{
    public const string Format = "evernet-certificate";
    public const int FormatVersion = 1;
    private const int MaxFileBytes = 64 * 1024;
    private const int MaxNameBytes = Gossip.Wire.WireLimits.MaxStringBytes;

    public static MembershipCertificate Read(string path)
    {
        byte[] content;
        try
        {
            var info = new FileInfo(path);
            if (!info.Exists) throw new StateFileException($"{path}: certificate file not found");
            if (info.Length > MaxFileBytes) throw new StateFileException($"{path}: {info.Length} bytes is too large for a certificate");
            content = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new StateFileException($"{path}: cannot read: {e.Message}", e);
        }
        return Parse(content, path);
    }

    /// <summary>Certificates are public: written 0644, atomically.</summary>
    public static void Write(string path, MembershipCertificate certificate) =>
        AtomicFile.Write(path, Serialize(certificate), AtomicFile.PublicMode);

    public static byte[] Serialize(MembershipCertificate certificate)
    {
        var model = new CertificateFileModel(
            Format, FormatVersion, certificate.Node.ToHex(), Convert.ToBase64String(certificate.WireGuardPublicKey.Span),
            certificate.Name, FormatRoles(certificate.Roles), certificate.Serial, certificate.NotBeforeUnixSeconds,
            certificate.NotAfterUnixSeconds, certificate.Authority.ToHex(), Convert.ToBase64String(certificate.Signature.Span));
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
            JsonSerializer.Serialize(writer, model, CertificateJsonContext.Default.CertificateFileModel);
        buffer.WriteByte((byte)'\n');
        return buffer.ToArray();
    }

    /// <param name="source">Names the input in error messages (usually the path).</param>
    public static MembershipCertificate Parse(ReadOnlySpan<byte> json, string source)
    {
        CertificateFileModel? m;
        try
        {
            m = JsonSerializer.Deserialize(json, CertificateJsonContext.Default.CertificateFileModel);
        }
        catch (JsonException e)
        {
            throw new StateFileException($"{source}: not a certificate file: {e.Message}", e);
        }
        if (m is null) throw new StateFileException($"{source}: not a certificate file (null)");
        if (m.Format != Format) throw new StateFileException($"{source}: format is \"{m.Format}\", expected \"{Format}\"");
        if (m.Version != FormatVersion) throw new StateFileException($"{source}: certificate file version {m.Version} is not supported (this build reads version {FormatVersion})");
        var node = Id(m.NodeId, "node_id", source);
        var authority = Id(m.Authority, "authority", source);
        var wireGuard = Base64(m.WireguardPublicKey, "wireguard_public_key", Gossip.Wire.WireLimits.WireGuardKeySize, source);
        var signature = Base64(m.Signature, "signature", Gossip.Wire.WireLimits.SignatureSize, source);
        if (string.IsNullOrWhiteSpace(m.Name) || Encoding.UTF8.GetByteCount(m.Name) > MaxNameBytes || m.Name.Any(c => char.IsControl(c) || char.IsWhiteSpace(c)))
            throw new StateFileException($"{source}: name must be 1 to {MaxNameBytes} UTF-8 bytes, printable, without spaces");
        var roles = ParseRoles(m.Roles, source);
        if (m.NotAfterUnixSeconds <= m.NotBeforeUnixSeconds)
            throw new StateFileException($"{source}: not_after_unix_seconds must be after not_before_unix_seconds");
        return new MembershipCertificate(node, wireGuard, m.Name, roles, m.Serial, m.NotBeforeUnixSeconds, m.NotAfterUnixSeconds, authority, signature);
    }

    private static List<string> FormatRoles(NodeRoles roles)
    {
        var names = new List<string>(2);
        if ((roles & NodeRoles.Node) != 0) names.Add("node");
        if ((roles & NodeRoles.Gateway) != 0) names.Add("gateway");
        return names;
    }

    private static NodeRoles ParseRoles(List<string>? names, string source)
    {
        if (names is null || names.Count == 0) throw new StateFileException($"{source}: roles: at least one role is needed");
        var roles = NodeRoles.None;
        foreach (var name in names)
        {
            roles |= name?.Trim().ToLowerInvariant() switch
            {
                "node" => NodeRoles.Node,
                "gateway" => NodeRoles.Gateway,
                _ => throw new StateFileException($"{source}: roles: unknown role '{name}' (known: node, gateway)"),
            };
        }
        return roles;
    }

    private static NodeId Id(string? hex, string field, string source) =>
        hex is not null && NodeId.TryParseHex(hex, out var id) ? id : throw new StateFileException($"{source}: {field} must be {NodeId.Size * 2} hex digits");

    private static byte[] Base64(string? value, string field, int size, string source)
    {
        var bytes = new byte[size];
        if (value is null || !Convert.TryFromBase64String(value, bytes, out int written) || written != size)
            throw new StateFileException($"{source}: {field} must be {size} bytes in base64");
        return bytes;
    }
}

/// <summary>The JSON shape of <see cref="CertificateFile"/> (field names become snake_case).</summary>
public sealed record CertificateFileModel(
    string? Format,
    int Version,
    string? NodeId,
    string? WireguardPublicKey,
    string? Name,
    List<string>? Roles,
    ulong Serial,
    long NotBeforeUnixSeconds,
    long NotAfterUnixSeconds,
    string? Authority,
    string? Signature);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, NumberHandling = JsonNumberHandling.Strict)]
[JsonSerializable(typeof(CertificateFileModel))]
internal sealed partial class CertificateJsonContext : JsonSerializerContext;
