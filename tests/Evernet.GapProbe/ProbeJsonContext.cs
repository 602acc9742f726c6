using System.Text.Json.Serialization;

namespace Evernet.GapProbe;

[JsonSourceGenerationOptions(WriteIndented = true, PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(GapReport))]
[JsonSerializable(typeof(WaitReport))]
[JsonSerializable(typeof(FlowsReport))]
internal sealed partial class ProbeJsonContext : JsonSerializerContext;
