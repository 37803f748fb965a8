using Microsoft.Extensions.Options;
using Switchboard.Compression;
using Switchboard.Gateway.Configuration;
using Switchboard.Gateway.Pipeline;
using Switchboard.OpenAI;
using Switchboard.Pipeline;
using Switchboard.Tokens;

namespace Switchboard.Gateway.Stages;

/// <summary>
/// Shortens the prompt of a chat request to save tokens, for models that say <c>compress: true</c> or requests that
/// send <c>x-switchboard-compress: on</c> (<c>off</c> opts a request out). Only plain-text messages are touched;
/// tool results, content parts, code, quotes, numbers and names never change. When it saves tokens the request is
/// replaced (so it is serialized for the upstream) and <see cref="GatewayContext.Compression"/> says by how much.
/// </summary>
public sealed class CompressionStage : IGatewayStage
{
    /// <summary>The request header that switches compression on or off for one request.</summary>
    public const string Header = "x-switchboard-compress";

    private readonly PromptCompressor _compressor;
    private readonly bool _allowHeader;
    private readonly bool _anyModel;

    /// <summary>Creates the stage from <c>compression:</c> and the models' <c>compress</c> settings.</summary>
    public CompressionStage(IOptions<SwitchboardOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var compression = options.Value.Compression;
        _allowHeader = compression.AllowHeader;
        _anyModel = options.Value.Models.Any(m => m.Compress);
        _compressor = new PromptCompressor(
            new PromptCompressionOptions
            {
                Whitespace = compression.Whitespace,
                Markup = compression.Markup,
                MinifyJson = compression.MinifyJson,
                Fillers = compression.Fillers,
                RepeatedParagraphs = compression.RepeatedParagraphs,
                Abbreviations = compression.Abbreviations,
            },
            TiktokenTokenCounter.Instance.CountTokens);
    }

    /// <inheritdoc />
    public string Name => "compression";

    /// <inheritdoc />
    public GatewayOperations Operations => _anyModel || _allowHeader ? GatewayOperations.Chat : GatewayOperations.None;

    /// <inheritdoc />
    public ValueTask<GatewayResult> InvokeAsync(GatewayContext context, GatewayDelegate next, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        if (Wanted(context))
        {
            Compress(context);
        }

        return next(context, cancellationToken);
    }

    private bool Wanted(GatewayContext context)
    {
        if (_allowHeader && context.RequestHeaders.TryGetValue(Header, out var value))
        {
            return value.Trim().ToLowerInvariant() is "on" or "true" or "1" or "yes";
        }

        return context.Route?.Compress == true;
    }

    private void Compress(GatewayContext context)
    {
        var request = context.ChatRequest;
        var messages = request.Messages;
        if (messages is null || messages.Count == 0)
        {
            return;
        }

        var parts = new PromptPart[messages.Count];
        for (var i = 0; i < messages.Count; i++)
        {
            var message = messages[i];
            // Content parts (images, audio) and tool traffic are passed as they are: "tool" is never compressed.
            parts[i] = message.Content?.PlainText is { } text && message.Role is not (ChatRoles.Tool or ChatRoles.Function)
                ? new PromptPart(message.Role ?? ChatRoles.User, text)
                : new PromptPart("tool", message.Text);
        }

        var result = _compressor.Compress(parts);
        if (result.TokensSaved <= 0)
        {
            return;
        }

        var compressed = new List<ChatMessage>(messages.Count + 1);
        if (result.Legend is { } legend)
        {
            compressed.Add(ChatMessage.System(legend));
        }

        for (var i = 0; i < messages.Count; i++)
        {
            compressed.Add(parts[i].Role == "tool" || string.Equals(result.Texts[i], parts[i].Text, StringComparison.Ordinal)
                ? messages[i]
                : messages[i] with { Content = MessageContent.FromText(result.Texts[i]) });
        }

        context.ChatRequest = request with { Messages = compressed };
        context.Compression = new CompressionSavings(result.OriginalTokens, result.CompressedTokens);
        context.ResponseHeaders["x-switchboard-tokens-saved"] = result.TokensSaved.ToString(System.Globalization.CultureInfo.InvariantCulture);
    }
}
