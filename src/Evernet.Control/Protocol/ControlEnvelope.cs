using System.Buffers;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Evernet.Control.Dtos;

namespace Evernet.Control.Protocol;

/// <summary>A parsed request line: either a command with its (optional) args, or the error to answer with.</summary>
public readonly record struct ParsedRequest(string? Command, JsonElement? Args, ControlError? Error)
{
    public bool IsValid => Error is null;
}

/// <summary>A parsed response line: the protocol version it claims, and either its data or its error.</summary>
public readonly record struct ParsedResponse(int Version, JsonElement? Data, ControlError? Error)
{
    public bool Ok => Error is null;
}

/// <summary>
/// Encodes and decodes the request/response envelopes, one JSON object per line:
/// request <c>{"v":1,"cmd":"...","args":{...}}</c>, response <c>{"v":1,"ok":true,"data":{...}}</c> or
/// <c>{"v":1,"ok":false,"error":{"code":"...","message":"..."}}</c>.
/// </summary>
public static class ControlEnvelope
{
    private static readonly JsonWriterOptions WriterOptions = new() { Indented = false };
    private static readonly JsonDocumentOptions DocumentOptions = new() { MaxDepth = 32 };

    /// <summary>A request line including its newline. <paramref name="version"/> is only ever not the current one in tests.</summary>
    public static byte[] EncodeRequest(string command, JsonElement? args, int version = ControlProtocol.Version)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            writer.WriteStartObject();
            writer.WriteNumber("v", version);
            writer.WriteString("cmd", command);
            if (args is { } a)
            {
                writer.WritePropertyName("args");
                a.WriteTo(writer);
            }
            writer.WriteEndObject();
        }
        return WithNewline(buffer);
    }

    public static byte[] EncodeSuccess<T>(T data, JsonTypeInfo<T> dataType, int version = ControlProtocol.Version)
    {
        var buffer = new ArrayBufferWriter<byte>(1024);
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            writer.WriteStartObject();
            writer.WriteNumber("v", version);
            writer.WriteBoolean("ok", true);
            writer.WritePropertyName("data");
            JsonSerializer.Serialize(writer, data, dataType);
            writer.WriteEndObject();
        }
        return WithNewline(buffer);
    }

    public static byte[] EncodeError(string code, string message, int version = ControlProtocol.Version)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            writer.WriteStartObject();
            writer.WriteNumber("v", version);
            writer.WriteBoolean("ok", false);
            writer.WritePropertyName("error");
            JsonSerializer.Serialize(writer, new ControlError(code, message), ControlJsonContext.Default.ControlError);
            writer.WriteEndObject();
        }
        return WithNewline(buffer);
    }

    /// <summary>Never throws: anything that is not a well-formed version-1 request becomes an error to answer with.</summary>
    public static ParsedRequest ParseRequest(ReadOnlyMemory<byte> line)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(line, DocumentOptions);
        }
        catch (JsonException ex)
        {
            return Fail(ControlErrorCodes.MalformedJson, $"the request is not valid JSON: {ex.Message}");
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
                return Fail(ControlErrorCodes.BadRequest, "the request must be a JSON object {\"v\":1,\"cmd\":...}");
            if (!root.TryGetProperty("v", out var v) || v.ValueKind != JsonValueKind.Number)
                return Fail(ControlErrorCodes.BadRequest, $"the request has no protocol version \"v\" (this evernetd speaks version {ControlProtocol.Version})");
            if (!v.TryGetInt32(out int version) || version != ControlProtocol.Version)
                return Fail(ControlErrorCodes.UnsupportedVersion,
                    $"evernetd speaks control protocol version {ControlProtocol.Version}, the request uses version {v.GetRawText()}: use evernetctl from the same release as evernetd");
            if (!root.TryGetProperty("cmd", out var cmd) || cmd.ValueKind != JsonValueKind.String)
                return Fail(ControlErrorCodes.BadRequest, "the request has no command \"cmd\" (a string)");
            string command = cmd.GetString()!;
            JsonElement? args = null;
            if (root.TryGetProperty("args", out var a))
            {
                if (a.ValueKind == JsonValueKind.Object) args = a.Clone();
                else if (a.ValueKind != JsonValueKind.Null)
                    return Fail(ControlErrorCodes.BadRequest, "\"args\" must be a JSON object");
            }
            return new ParsedRequest(command, args, null);
        }

        static ParsedRequest Fail(string code, string message) => new(null, null, new ControlError(code, message));
    }

    /// <summary>Throws <see cref="JsonException"/> or <see cref="FormatException"/> when the line is not a response envelope.</summary>
    public static ParsedResponse ParseResponse(ReadOnlyMemory<byte> line)
    {
        using var document = JsonDocument.Parse(line, DocumentOptions);
        var root = document.RootElement;
        if (root.ValueKind != JsonValueKind.Object) throw new FormatException("the response is not a JSON object");
        if (!root.TryGetProperty("v", out var v) || !v.TryGetInt32(out int version))
            throw new FormatException("the response has no protocol version \"v\"");
        if (version != ControlProtocol.Version) return new ParsedResponse(version, null, null);
        if (!root.TryGetProperty("ok", out var ok) || (ok.ValueKind != JsonValueKind.True && ok.ValueKind != JsonValueKind.False))
            throw new FormatException("the response has no \"ok\" flag");
        if (ok.ValueKind == JsonValueKind.True)
        {
            if (!root.TryGetProperty("data", out var data)) throw new FormatException("a successful response has no \"data\"");
            return new ParsedResponse(version, data.Clone(), null);
        }
        if (!root.TryGetProperty("error", out var error) || error.ValueKind != JsonValueKind.Object)
            throw new FormatException("a failed response has no \"error\" object");
        var parsed = error.Deserialize(ControlJsonContext.Default.ControlError) ?? throw new FormatException("the \"error\" object is null");
        return new ParsedResponse(version, null, parsed);
    }

    private static byte[] WithNewline(ArrayBufferWriter<byte> buffer)
    {
        var bytes = new byte[buffer.WrittenCount + 1];
        buffer.WrittenSpan.CopyTo(bytes);
        bytes[^1] = (byte)'\n';
        return bytes;
    }
}
