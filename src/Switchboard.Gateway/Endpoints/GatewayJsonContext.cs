using System.Text.Json.Serialization;

namespace Switchboard.Gateway.Endpoints;

/// <summary>Source-generated serialization for the gateway's own (non-OpenAI) answers.</summary>
[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(HealthReport))]
internal sealed partial class GatewayJsonContext : JsonSerializerContext;
