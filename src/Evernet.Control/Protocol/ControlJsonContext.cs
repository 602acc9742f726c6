using System.Text.Json.Serialization;
using Evernet.Control.Dtos;

namespace Evernet.Control.Protocol;

/// <summary>
/// Source-generated (reflection-free, AOT-safe) JSON metadata for every DTO of the control protocol and the certificate files.
/// Field names are snake_case; null fields are written as null, never left out, so the set of fields is stable.
/// </summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    NumberHandling = JsonNumberHandling.Strict,
    ReadCommentHandling = System.Text.Json.JsonCommentHandling.Disallow,
    AllowTrailingCommas = false,
    RespectNullableAnnotations = true,
    RespectRequiredConstructorParameters = true)]
[JsonSerializable(typeof(StatusData))]
[JsonSerializable(typeof(MembersData))]
[JsonSerializable(typeof(GatewaysData))]
[JsonSerializable(typeof(RoutesData))]
[JsonSerializable(typeof(EventsArgs))]
[JsonSerializable(typeof(EventsData))]
[JsonSerializable(typeof(MetricsData))]
[JsonSerializable(typeof(CertificateReloadData))]
[JsonSerializable(typeof(SubmitRevocationArgs))]
[JsonSerializable(typeof(RevocationSubmitData))]
[JsonSerializable(typeof(DrainData))]
[JsonSerializable(typeof(ControlError))]
[JsonSerializable(typeof(CertificateFile))]
[JsonSerializable(typeof(RevocationFile))]
public sealed partial class ControlJsonContext : JsonSerializerContext;
