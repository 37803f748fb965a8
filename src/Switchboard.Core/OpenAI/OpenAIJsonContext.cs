using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Switchboard.OpenAI;

/// <summary>Source-generated serialization for every OpenAI wire type: no reflection on the hot path.</summary>
[JsonSourceGenerationOptions(
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    AllowTrailingCommas = false,
    ReadCommentHandling = JsonCommentHandling.Disallow,
    UnmappedMemberHandling = JsonUnmappedMemberHandling.Skip)]
[JsonSerializable(typeof(ChatCompletionRequest))]
[JsonSerializable(typeof(ChatCompletionResponse))]
[JsonSerializable(typeof(ChatCompletionChunk))]
[JsonSerializable(typeof(ContentPart))]
[JsonSerializable(typeof(EmbeddingRequest))]
[JsonSerializable(typeof(EmbeddingResponse))]
[JsonSerializable(typeof(ModelList))]
[JsonSerializable(typeof(ModelInfo))]
[JsonSerializable(typeof(ErrorResponse))]
[JsonSerializable(typeof(JsonElement))]
[JsonSerializable(typeof(float[]))]
public sealed partial class OpenAIJsonContext : JsonSerializerContext
{
    /// <summary>
    /// The same contract for what clients read: non-ASCII text and quotes written as themselves (as the
    /// OpenAI API does) rather than as <c>\u00FC</c> escapes. Only for HTTP bodies, never for HTML.
    /// </summary>
    public static OpenAIJsonContext Relaxed => RelaxedContext.Value;

    // Lazy: the generated Default is initialized in another part of this class, in an order C# does not fix.
    private static readonly Lazy<OpenAIJsonContext> RelaxedContext = new(() => new OpenAIJsonContext(
        new JsonSerializerOptions
        {
            DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
            UnmappedMemberHandling = JsonUnmappedMemberHandling.Skip,
            Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        }));
}
