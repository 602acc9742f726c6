using System.Text.Json.Serialization;

namespace Evernet.Sim.Reporting;

/// <summary>Source-generated JSON (AOT/trim safe), snake_case, indented.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, WriteIndented = true)]
[JsonSerializable(typeof(SimReport))]
internal sealed partial class ReportJsonContext : JsonSerializerContext;
