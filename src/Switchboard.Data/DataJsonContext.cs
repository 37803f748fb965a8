using System.Text.Json.Serialization;
using Switchboard.Data.Usage;
using Switchboard.Accounting;

namespace Switchboard.Data;

/// <summary>Source-generated JSON for key metadata and spill-file lines.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(IReadOnlyDictionary<string, string>))]
[JsonSerializable(typeof(SpilledRecord))]
[JsonSerializable(typeof(StoredExchange))]
internal sealed partial class DataJsonContext : JsonSerializerContext;
