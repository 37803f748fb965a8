using System.Text.Json;

namespace Switchboard.Providers.OpenAICompatible;

/// <summary>
/// Edits the client's own request bytes instead of serializing the request again, so an OpenAI-compatible upstream
/// gets the request exactly as the client wrote it (field order, nulls, number formats, fields Switchboard does not
/// know) and a long prompt is not serialized again: puts the deployment's model in, and, when the gateway needs a
/// stream's usage the client did not ask for, sets <c>stream_options.include_usage</c> to true. One pass of the
/// reader, one copy.
/// </summary>
internal static class RequestSplice
{
    private static ReadOnlySpan<byte> IncludeUsageProperty => "\"include_usage\":true"u8;
    private static ReadOnlySpan<byte> StreamOptionsProperty => "\"stream_options\":{\"include_usage\":true}"u8;

    /// <summary>
    /// The client's bytes with the top-level <c>model</c> set to <paramref name="model"/> and, with
    /// <paramref name="includeStreamUsage"/>, <c>stream_options.include_usage</c> true; null when there are no bytes or
    /// they are not one object with exactly one top-level <c>model</c> string (and at most one <c>stream_options</c>,
    /// an object or null, with at most one <c>include_usage</c>): the request must then be serialized.
    /// </summary>
    public static ReadOnlyMemory<byte>? Apply(ReadOnlyMemory<byte> clientJson, string? model, bool includeStreamUsage = false)
    {
        if (clientJson.IsEmpty || model is null)
        {
            return null;
        }

        var json = clientJson.Span;
        var reader = new Utf8JsonReader(json);
        Edit modelEdit = default, usageEdit = default;
        var modelSeen = false;
        var optionsSeen = false;
        try
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return null;
            }

            var objectStart = (int)reader.TokenStartIndex;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var isModel = reader.ValueTextEquals("model"u8);
                var isOptions = !isModel && includeStreamUsage && reader.ValueTextEquals("stream_options"u8);
                reader.Read();
                if (isModel)
                {
                    // A second "model" would leave the upstream to pick one; the serializer writes exactly one.
                    if (modelSeen || reader.TokenType != JsonTokenType.String)
                    {
                        return null;
                    }

                    modelSeen = true;
                    if (!reader.ValueTextEquals(model))
                    {
                        modelEdit = new Edit((int)reader.TokenStartIndex, (int)reader.BytesConsumed, Edit.Model);
                    }
                }
                else if (isOptions)
                {
                    if (optionsSeen || !FindUsageEdit(ref reader, out usageEdit))
                    {
                        return null;
                    }

                    optionsSeen = true;
                }
                else
                {
                    reader.Skip();
                }
            }

            if (includeStreamUsage && !optionsSeen)
            {
                // Right after the opening brace; the object has at least "model", so a comma follows.
                usageEdit = new Edit(objectStart + 1, objectStart + 1, Edit.AddStreamOptions);
            }
        }
        catch (JsonException)
        {
            return null;
        }

        if (!modelSeen)
        {
            return null;
        }

        if (modelEdit.Kind == Edit.None && usageEdit.Kind == Edit.None)
        {
            return clientJson;
        }

        var value = JsonEncodedText.Encode(model).EncodedUtf8Bytes;
        var first = modelEdit.Kind != Edit.None && (usageEdit.Kind == Edit.None || modelEdit.Start < usageEdit.Start) ? modelEdit : usageEdit;
        var second = first.Equals(modelEdit) ? usageEdit : modelEdit;
        var output = new byte[json.Length - first.Length - second.Length + Size(first, value) + Size(second, value)];
        var written = 0;
        var read = 0;
        foreach (var edit in (ReadOnlySpan<Edit>)[first, second])
        {
            if (edit.Kind == Edit.None)
            {
                continue;
            }

            json[read..edit.Start].CopyTo(output.AsSpan(written));
            written += edit.Start - read;
            written += Write(edit, value, output.AsSpan(written));
            read = edit.End;
        }

        json[read..].CopyTo(output.AsSpan(written));
        return output;
    }

    /// <summary>Reads a <c>stream_options</c> value and says what to change so it asks for usage; false when it cannot be edited.</summary>
    private static bool FindUsageEdit(ref Utf8JsonReader reader, out Edit edit)
    {
        edit = default;
        if (reader.TokenType == JsonTokenType.Null)
        {
            edit = new Edit((int)reader.TokenStartIndex, (int)reader.BytesConsumed, Edit.ReplaceNullOptions);
            return true;
        }

        if (reader.TokenType != JsonTokenType.StartObject)
        {
            return false;
        }

        var openBrace = (int)reader.TokenStartIndex;
        var empty = true;
        var found = false;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            empty = false;
            var isUsage = reader.ValueTextEquals("include_usage"u8);
            reader.Read();
            if (!isUsage)
            {
                reader.Skip();
                continue;
            }

            if (found)
            {
                return false;
            }

            found = true;
            var isTrue = reader.TokenType == JsonTokenType.True;
            var start = (int)reader.TokenStartIndex;
            reader.Skip();
            if (!isTrue)
            {
                edit = new Edit(start, (int)reader.BytesConsumed, Edit.SetTrue);
            }
        }

        if (!found)
        {
            edit = new Edit(openBrace + 1, openBrace + 1, empty ? Edit.AddOnlyUsage : Edit.AddUsage);
        }

        return true;
    }

    private static int Size(Edit edit, ReadOnlySpan<byte> model) => edit.Kind switch
    {
        Edit.None => 0,
        Edit.Model => model.Length + 2,
        Edit.SetTrue => 4,
        Edit.AddOnlyUsage => IncludeUsageProperty.Length,
        Edit.AddUsage => IncludeUsageProperty.Length + 1,
        Edit.ReplaceNullOptions => StreamOptionsProperty.Length - "\"stream_options\":".Length,
        _ => StreamOptionsProperty.Length + 1,
    };

    private static int Write(Edit edit, ReadOnlySpan<byte> model, Span<byte> output)
    {
        switch (edit.Kind)
        {
            case Edit.Model:
                output[0] = (byte)'"';
                model.CopyTo(output[1..]);
                output[model.Length + 1] = (byte)'"';
                break;
            case Edit.SetTrue:
                "true"u8.CopyTo(output);
                break;
            case Edit.AddOnlyUsage:
                IncludeUsageProperty.CopyTo(output);
                break;
            case Edit.AddUsage:
                IncludeUsageProperty.CopyTo(output);
                output[IncludeUsageProperty.Length] = (byte)',';
                break;
            case Edit.ReplaceNullOptions:
                StreamOptionsProperty["\"stream_options\":".Length..].CopyTo(output);
                break;
            case Edit.AddStreamOptions:
                StreamOptionsProperty.CopyTo(output);
                output[StreamOptionsProperty.Length] = (byte)',';
                break;
        }

        return Size(edit, model);
    }

    /// <summary>Replace <c>json[Start..End]</c> (empty for an insertion) by what <see cref="Kind"/> says.</summary>
    private readonly record struct Edit(int Start, int End, int Kind)
    {
        public const int None = 0;
        public const int Model = 1;
        public const int SetTrue = 2;
        public const int AddOnlyUsage = 3;
        public const int AddUsage = 4;
        public const int ReplaceNullOptions = 5;
        public const int AddStreamOptions = 6;

        public int Length => End - Start;
    }
}
