using System.Text.Json.Serialization;

namespace Switchboard.Gateway.Caching;

/// <summary>Source-generated serialization for the <c>/admin/cache</c> answers.</summary>
[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(CacheReport))]
[JsonSerializable(typeof(CachePurgeReport))]
internal sealed partial class CacheJsonContext : JsonSerializerContext;
