using System.Text;
using System.Text.Json;
using Switchboard.Errors;
using Switchboard.OpenAI;
using Switchboard.Providers.Upstream;

namespace Switchboard.Providers.Ollama;

/// <summary>Turns an OpenAI chat or embedding request into Ollama's native one, or says why it cannot.</summary>
internal static class OllamaRequestMapper
{
    /// <summary>Modelfile parameters a client may send at the top level of an OpenAI request; they go into <c>options</c>.</summary>
    private static readonly HashSet<string> OptionNames = new(StringComparer.Ordinal)
    {
        "num_keep", "seed", "num_predict", "top_k", "top_p", "min_p", "typical_p", "repeat_last_n", "temperature",
        "repeat_penalty", "presence_penalty", "frequency_penalty", "penalize_newline", "stop", "numa", "num_ctx",
        "num_batch", "num_gpu", "main_gpu", "use_mmap", "use_mlock", "low_vram", "num_thread", "mirostat",
        "mirostat_tau", "mirostat_eta", "tfs_z",
    };

    private static readonly JsonElement JsonFormat = JsonSerializer.SerializeToElement("json", OllamaJsonContext.Default.String);
    private static readonly JsonElement EmptyObject = JsonSerializer.Deserialize("{}", OllamaJsonContext.Default.JsonElement);

    public static UpstreamResult<OllamaChatRequest> MapChat(ChatCompletionRequest request)
    {
        if (request.N is > 1)
        {
            return Unsupported("Ollama returns one choice per request; 'n' greater than 1 is not supported by this provider.", "n");
        }

        var messages = request.Messages ?? [];
        var mapped = new List<OllamaMessage>(messages.Count);
        Dictionary<string, string>? toolNames = null;
        for (var i = 0; i < messages.Count; i++)
        {
            var message = messages[i];
            var content = MapContent(message.Content, i, out var images, out var contentError);
            if (contentError is not null)
            {
                return contentError;
            }

            List<OllamaToolCall>? toolCalls = null;
            if (message.ToolCalls is { Count: > 0 } calls)
            {
                toolCalls = new List<OllamaToolCall>(calls.Count);
                for (var j = 0; j < calls.Count; j++)
                {
                    var call = calls[j];
                    if (!TryParseArguments(call.Function?.Arguments, out var arguments))
                    {
                        return GatewayError.InvalidRequest(
                            "The tool call arguments must be a JSON object encoded as a string.",
                            $"messages[{i}].tool_calls[{j}].function.arguments",
                            ErrorCodes.InvalidValue);
                    }

                    toolCalls.Add(new OllamaToolCall { Function = new OllamaToolFunction { Name = call.Function?.Name, Arguments = arguments } });
                    if (call.Id is not null && call.Function?.Name is not null)
                    {
                        (toolNames ??= new Dictionary<string, string>(StringComparer.Ordinal))[call.Id] = call.Function.Name;
                    }
                }
            }

            var role = MapRole(message.Role);
            string? toolName = null;
            if (role == ChatRoles.Tool)
            {
                toolName = message.ToolCallId is not null && toolNames is not null && toolNames.TryGetValue(message.ToolCallId, out var name)
                    ? name
                    : message.Name;
            }

            mapped.Add(new OllamaMessage
            {
                Role = role,
                Content = content,
                Images = images,
                ToolCalls = toolCalls,
                ToolName = toolName,
                ToolCallId = role == ChatRoles.Tool ? message.ToolCallId : null,
            });
        }

        var formatResult = MapFormat(request.ResponseFormat);
        if (formatResult.Error is { } formatError)
        {
            return formatError;
        }

        var options = new OllamaOptions
        {
            Temperature = request.Temperature,
            TopP = request.TopP,
            Seed = request.Seed,
            NumPredict = request.MaxCompletionTokens ?? request.MaxTokens,
            FrequencyPenalty = request.FrequencyPenalty,
            PresencePenalty = request.PresencePenalty,
        };
        var stop = request.GetStopSequences();
        if (stop.Count > 0)
        {
            options.Stop = stop;
        }

        JsonElement? keepAlive = null;
        JsonElement? think = null;
        if (request.AdditionalProperties is { Count: > 0 } extra)
        {
            foreach (var (key, value) in extra)
            {
                if (OptionNames.Contains(key))
                {
                    SetOption(options, key, value);
                }
            }

            // An explicit "options" object is the most Ollama-specific intent, so it is applied last and wins.
            if (extra.TryGetValue("options", out var clientOptions) && clientOptions.ValueKind == JsonValueKind.Object)
            {
                foreach (var property in clientOptions.EnumerateObject())
                {
                    SetOption(options, property.Name, property.Value);
                }
            }

            keepAlive = extra.TryGetValue("keep_alive", out var k) ? k : null;
            think = extra.TryGetValue("think", out var t) ? t : null;
        }

        var toolChoiceNone = request.ToolChoice is { ValueKind: JsonValueKind.String } choice && choice.ValueEquals("none");
        return UpstreamResult<OllamaChatRequest>.Success(new OllamaChatRequest
        {
            Model = request.Model ?? string.Empty,
            Messages = mapped,
            Tools = request.Tools is { Count: > 0 } && !toolChoiceNone ? request.Tools : null,
            Format = formatResult.Value?.Element,
            Options = options.IsEmpty ? null : options,
            Stream = request.IsStreaming,
            KeepAlive = keepAlive,
            Think = think,
            Logprobs = request.Logprobs is true ? true : null,
            TopLogprobs = request.Logprobs is true ? request.TopLogprobs : null,
        });
    }

    public static UpstreamResult<OllamaEmbedRequest> MapEmbed(EmbeddingRequest request)
    {
        if (request.Input is not { } input || !IsTextInput(input))
        {
            return GatewayError.InvalidRequest(
                "Ollama embeds text: 'input' must be a string or an array of strings (token-id arrays are not supported by this provider).",
                "input",
                ErrorCodes.InvalidValue);
        }

        var extra = request.AdditionalProperties;
        return UpstreamResult<OllamaEmbedRequest>.Success(new OllamaEmbedRequest
        {
            Model = request.Model ?? string.Empty,
            Input = input,
            Dimensions = request.Dimensions,
            Truncate = Get(extra, "truncate"),
            KeepAlive = Get(extra, "keep_alive"),
            Options = Get(extra, "options") is { ValueKind: JsonValueKind.Object } options ? options : null,
        });
    }

    private static JsonElement? Get(IDictionary<string, JsonElement>? extra, string key) =>
        extra is not null && extra.TryGetValue(key, out var value) ? value : null;

    private static bool IsTextInput(JsonElement input)
    {
        if (input.ValueKind == JsonValueKind.String)
        {
            return true;
        }

        if (input.ValueKind != JsonValueKind.Array || input.GetArrayLength() == 0)
        {
            return false;
        }

        foreach (var item in input.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.String)
            {
                return false;
            }
        }

        return true;
    }

    private static string MapRole(string? role) => role switch
    {
        ChatRoles.Developer => ChatRoles.System,
        ChatRoles.Function => ChatRoles.Tool,
        null => ChatRoles.User,
        _ => role,
    };

    private static string MapContent(MessageContent? content, int messageIndex, out List<string>? images, out GatewayError? error)
    {
        images = null;
        error = null;
        if (content is null)
        {
            return string.Empty;
        }

        if (content.PlainText is { } text)
        {
            return text;
        }

        var parts = content.Parts!;
        string? single = null;
        StringBuilder? builder = null;
        for (var j = 0; j < parts.Count; j++)
        {
            var part = parts[j];
            switch (part.Type)
            {
                case "text":
                    if (single is null)
                    {
                        single = part.Text ?? string.Empty;
                    }
                    else
                    {
                        builder ??= new StringBuilder(single);
                        builder.Append('\n').Append(part.Text);
                    }

                    break;
                case "image_url":
                    if (!TryGetBase64Image(part.ImageUrl, out var image))
                    {
                        error = GatewayError.InvalidRequest(
                            "Ollama accepts images only inline, as base64 data URLs (data:image/png;base64,...); image links cannot be fetched by this provider.",
                            $"messages[{messageIndex}].content[{j}].image_url",
                            ProviderErrorCodes.UnsupportedByProvider);
                        return string.Empty;
                    }

                    (images ??= []).Add(image);
                    break;
                default:
                    error = GatewayError.InvalidRequest(
                        $"Content parts of type '{part.Type}' are not supported by Ollama; use text and image_url parts.",
                        $"messages[{messageIndex}].content[{j}].type",
                        ProviderErrorCodes.UnsupportedByProvider);
                    return string.Empty;
            }
        }

        return builder?.ToString() ?? single ?? string.Empty;
    }

    private static bool TryGetBase64Image(JsonElement? imageUrl, out string base64)
    {
        base64 = string.Empty;
        var url = imageUrl switch
        {
            { ValueKind: JsonValueKind.String } s => s.GetString(),
            { ValueKind: JsonValueKind.Object } o when o.TryGetProperty("url", out var u) && u.ValueKind == JsonValueKind.String => u.GetString(),
            _ => null,
        };
        if (url is null || !url.StartsWith("data:", StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        var marker = url.IndexOf(";base64,", StringComparison.OrdinalIgnoreCase);
        if (marker < 0)
        {
            return false;
        }

        base64 = url[(marker + ";base64,".Length)..];
        return base64.Length > 0;
    }

    private static bool TryParseArguments(string? arguments, out JsonElement element)
    {
        if (string.IsNullOrWhiteSpace(arguments))
        {
            element = EmptyObject;
            return true;
        }

        try
        {
            element = JsonSerializer.Deserialize(arguments, OllamaJsonContext.Default.JsonElement);
            return element.ValueKind == JsonValueKind.Object;
        }
        catch (JsonException)
        {
            element = default;
            return false;
        }
    }

    private static UpstreamResult<FormatBox> MapFormat(JsonElement? responseFormat)
    {
        if (responseFormat is not { ValueKind: JsonValueKind.Object } format
            || !format.TryGetProperty("type", out var type) || type.ValueKind != JsonValueKind.String)
        {
            return UpstreamResult<FormatBox>.Success(FormatBox.None);
        }

        if (type.ValueEquals("json_object"))
        {
            return UpstreamResult<FormatBox>.Success(new FormatBox(JsonFormat));
        }

        if (type.ValueEquals("json_schema"))
        {
            if (format.TryGetProperty("json_schema", out var jsonSchema) && jsonSchema.ValueKind == JsonValueKind.Object
                && jsonSchema.TryGetProperty("schema", out var schema) && schema.ValueKind == JsonValueKind.Object)
            {
                return UpstreamResult<FormatBox>.Success(new FormatBox(schema));
            }

            return GatewayError.InvalidRequest("A json_schema response format needs 'json_schema.schema' to be an object.", "response_format.json_schema.schema", ErrorCodes.MissingParameter);
        }

        return UpstreamResult<FormatBox>.Success(FormatBox.None);
    }

    private static void SetOption(OllamaOptions options, string key, JsonElement value)
    {
        var isNumber = value.ValueKind == JsonValueKind.Number;
        switch (key)
        {
            case "temperature" when isNumber: options.Temperature = value.GetDouble(); return;
            case "top_p" when isNumber: options.TopP = value.GetDouble(); return;
            case "frequency_penalty" when isNumber: options.FrequencyPenalty = value.GetDouble(); return;
            case "presence_penalty" when isNumber: options.PresencePenalty = value.GetDouble(); return;
            case "seed" when isNumber && value.TryGetInt64(out var seed): options.Seed = seed; return;
            case "num_predict" when isNumber && value.TryGetInt32(out var n): options.NumPredict = n; return;
            case "stop" when TrySetStop(options, value): return;
        }

        // Unknown or oddly typed: pass the value through as given, and drop a typed value of the same name
        // so the key is written once.
        ClearTyped(options, key);
        (options.Extra ??= new Dictionary<string, JsonElement>(StringComparer.Ordinal))[key] = value;
    }

    private static bool TrySetStop(OllamaOptions options, JsonElement value)
    {
        if (value.ValueKind == JsonValueKind.String)
        {
            options.Stop = [value.GetString()!];
            return true;
        }

        if (value.ValueKind == JsonValueKind.Array && value.EnumerateArray().All(static e => e.ValueKind == JsonValueKind.String))
        {
            options.Stop = [.. value.EnumerateArray().Select(static e => e.GetString()!)];
            return true;
        }

        return false;
    }

    private static void ClearTyped(OllamaOptions options, string key)
    {
        switch (key)
        {
            case "temperature": options.Temperature = null; break;
            case "top_p": options.TopP = null; break;
            case "frequency_penalty": options.FrequencyPenalty = null; break;
            case "presence_penalty": options.PresencePenalty = null; break;
            case "seed": options.Seed = null; break;
            case "num_predict": options.NumPredict = null; break;
            case "stop": options.Stop = null; break;
        }
    }

    private static GatewayError Unsupported(string message, string param) =>
        GatewayError.InvalidRequest(message, param, ProviderErrorCodes.UnsupportedByProvider);

    /// <summary>A nullable <see cref="JsonElement"/> in a class, so it fits <see cref="UpstreamResult{T}"/>.</summary>
    private sealed record FormatBox(JsonElement? Element)
    {
        public static FormatBox None { get; } = new((JsonElement?)null);
    }
}
