using System.Text.Json.Serialization;
using Evernet.Control.Dtos;

namespace Evernet.Daemon.Web;

/// <summary>Source-generated JSON for the web API: the same conventions as the control protocol (snake_case, nulls written).</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    NumberHandling = JsonNumberHandling.Strict,
    AllowTrailingCommas = false,
    RespectNullableAnnotations = true,
    RespectRequiredConstructorParameters = true)]
[JsonSerializable(typeof(LiveSnapshot))]
[JsonSerializable(typeof(GatewayHistoryData))]
[JsonSerializable(typeof(SessionInfo))]
[JsonSerializable(typeof(LoginRequest))]
[JsonSerializable(typeof(WebError))]
[JsonSerializable(typeof(DrainData))]
public sealed partial class WebJsonContext : JsonSerializerContext;
