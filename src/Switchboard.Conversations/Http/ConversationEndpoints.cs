using System.Globalization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Switchboard.Conversations.Configuration;
using Switchboard.Conversations.Service;
using Switchboard.Conversations.Storage;
using Switchboard.Errors;
using Switchboard.Gateway.Configuration;
using Switchboard.Gateway.Endpoints;
using Switchboard.Hosting.Http;

namespace Switchboard.Conversations.Http;

/// <summary>
/// <c>POST /chat</c>, <c>GET</c>/<c>PUT</c>/<c>DELETE /context</c> and <c>GET /conversations</c>. Bodies are read and
/// checked here (a refused request touches nothing); the dialogue itself is <see cref="ConversationService"/>'s.
/// </summary>
public sealed class ConversationEndpoints
{
    private const int MaxListLimit = 1000;

    private readonly ConversationService _service;
    private readonly ConversationsOptions _options;
    private readonly long _maxBodyBytes;
    private readonly ConversationAccess _access;

    private ConversationEndpoints(IServiceProvider services)
    {
        _service = services.GetRequiredService<ConversationService>();
        _options = services.GetRequiredService<IOptions<ConversationsOptions>>().Value;
        _access = new ConversationAccess(services.GetRequiredService<Gateway.Auth.KeyAuthenticator>(), _options);
        _maxBodyBytes = services.GetRequiredService<IOptions<SwitchboardOptions>>().Value.Server.MaxBodyBytes;
    }

    /// <summary>Maps the endpoints (nothing when <c>conversations.enabled</c> is false).</summary>
    public static IEndpointRouteBuilder Map(IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        var handlers = new ConversationEndpoints(endpoints.ServiceProvider);
        if (!handlers._options.Enabled)
        {
            return endpoints;
        }

        endpoints.MapPost("/chat", handlers.ChatAsync);
        endpoints.MapGet("/context", handlers.GetContextAsync);
        endpoints.MapPut("/context", handlers.PutContextAsync);
        endpoints.MapDelete("/context", handlers.DeleteContextAsync);
        endpoints.MapGet("/conversations", handlers.ListAsync);
        return endpoints;
    }

    private async Task ChatAsync(HttpContext http)
    {
        var cancellationToken = http.RequestAborted;
        // Before the body is read or the conversation looked at: a refused caller learns nothing and touches nothing.
        var caller = await _access.AuthenticateAsync(http);
        if (caller.Error is { } denied)
        {
            await OpenAIResponseWriter.WriteErrorAsync(http.Response, denied, cancellationToken);
            return;
        }

        var body = await OpenAIRequestReader.ReadAsync(http.Request, ConversationsJsonContext.Default.ChatRequestBody, _maxBodyBytes, cancellationToken);
        if (body.Error is { } readError)
        {
            await OpenAIResponseWriter.WriteErrorAsync(http.Response, readError, cancellationToken);
            return;
        }

        var (input, error) = ChatRequestChecker.Check(body.Value!, _options);
        var (partition, partitionError) = ConversationAccess.Resolve(caller, body.Value!.Partition);
        if ((error ?? partitionError) is { } refused)
        {
            await OpenAIResponseWriter.WriteErrorAsync(http.Response, refused, cancellationToken);
            return;
        }

        input = input! with { Partition = partition!, Caller = caller.Identity };

        var headers = new HeaderDictionaryView(http.Request.Headers);
        var requestId = GatewayResponseHeaders.RequestId(http);
        if (body.Value!.Stream != true)
        {
            ChatOutcome outcome;
            try
            {
                outcome = await _service.ChatAsync(input!, headers, requestId, null, cancellationToken);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }

            if (outcome.Context is { } context)
            {
                GatewayResponseHeaders.Write(http.Response, context);
            }

            if (outcome.Error is { } failed)
            {
                await OpenAIResponseWriter.WriteErrorAsync(http.Response, failed, cancellationToken);
                return;
            }

            await OpenAIResponseWriter.WriteJsonAsync(http.Response, ToBody(outcome.Reply!), ConversationsJsonContext.Relaxed.ChatResponseBody, cancellationToken);
            return;
        }

        using var stream = new SseReplyStream(http);
        try
        {
            var outcome = await _service.ChatAsync(input!, headers, requestId, stream, cancellationToken);
            if (outcome.Error is { } failed)
            {
                if (stream.HasBegun)
                {
                    await stream.FailAsync(failed);
                }
                else
                {
                    if (outcome.Context is { } context)
                    {
                        GatewayResponseHeaders.Write(http.Response, context);
                    }

                    await OpenAIResponseWriter.WriteErrorAsync(http.Response, failed, cancellationToken);
                }

                return;
            }

            if (!stream.HasBegun)
            {
                // An empty reply (all of it was reasoning) still gets a well-formed stream.
                await stream.BeginAsync(outcome.Context!, cancellationToken);
            }

            await stream.DoneAsync(ToBody(outcome.Reply!), cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The client went away; the model call was cancelled with it and nothing was stored.
        }
    }

    private async Task GetContextAsync(HttpContext http)
    {
        if (await CheckAsync(http) is not ({ } conversation, var caller))
        {
            return;
        }

        var state = await _service.GetAsync(conversation, http.RequestAborted);
        if (state is null)
        {
            // Also when the id exists in another partition: a key cannot tell another's conversation from none.
            await OpenAIResponseWriter.WriteErrorAsync(http.Response, ConversationErrors.NotFound(conversation.Name), http.RequestAborted);
            return;
        }

        await WriteContextAsync(http, state, caller);
    }

    private async Task PutContextAsync(HttpContext http)
    {
        if (await CheckAsync(http) is not ({ } conversation, var caller))
        {
            return;
        }

        var body = await OpenAIRequestReader.ReadAsync(http.Request, ConversationsJsonContext.Default.SystemPromptBody, _maxBodyBytes, http.RequestAborted);
        var error = body.Error
            ?? (body.Value!.Unknown is { Count: > 0 } unknown ? ConversationErrors.Unknown(unknown.Keys.Order(StringComparer.Ordinal).First()) : null)
            ?? (body.Value.SystemPrompt is { } prompt && prompt.Length > _options.MaxSystemPromptChars ? ConversationErrors.TooLong("system_prompt", _options.MaxSystemPromptChars) : null);
        if (error is not null)
        {
            await OpenAIResponseWriter.WriteErrorAsync(http.Response, error, http.RequestAborted);
            return;
        }

        var (state, busy) = await _service.SetSystemPromptAsync(conversation, body.Value!.SystemPrompt, http.RequestAborted);
        if (busy is not null)
        {
            await OpenAIResponseWriter.WriteErrorAsync(http.Response, busy, http.RequestAborted);
            return;
        }

        await WriteContextAsync(http, state!, caller);
    }

    private async Task DeleteContextAsync(HttpContext http)
    {
        if (await CheckAsync(http) is not ({ } conversation, _))
        {
            return;
        }

        if (!await _service.DeleteAsync(conversation, http.RequestAborted))
        {
            await OpenAIResponseWriter.WriteErrorAsync(http.Response, ConversationErrors.NotFound(conversation.Name), http.RequestAborted);
            return;
        }

        await OpenAIResponseWriter.WriteJsonAsync(http.Response, new DeletedResponseBody { Conversation = conversation.Name, Deleted = true }, ConversationsJsonContext.Relaxed.DeletedResponseBody, http.RequestAborted);
    }

    private async Task ListAsync(HttpContext http)
    {
        if (await _access.CheckAdminAsync(http) is { } denied)
        {
            await OpenAIResponseWriter.WriteErrorAsync(http.Response, denied, http.RequestAborted);
            return;
        }

        var limit = 100;
        var offset = 0;
        string? partition = null;
        var error = ReadInt(http, "limit", 1, MaxListLimit, ref limit)
            ?? ReadInt(http, "offset", 0, int.MaxValue, ref offset)
            ?? ReadPartition(http, ref partition);
        if (error is not null)
        {
            await OpenAIResponseWriter.WriteErrorAsync(http.Response, error, http.RequestAborted);
            return;
        }

        var headers = await _service.ListAsync(partition, limit, offset, http.RequestAborted);
        var body = new ConversationListBody
        {
            Conversations = [.. headers.Select(h => new ConversationListItem
            {
                Conversation = h.Name,
                Partition = h.Partition,
                Turns = h.TurnCount,
                Model = h.Model,
                HasSummary = h.Summary is not null,
                HasSystemPrompt = h.SystemPrompt is not null,
                CreatedAt = h.CreatedAt,
                LastActiveAt = h.LastActiveAt,
            })],
            Limit = limit,
            Offset = offset,
        };
        await OpenAIResponseWriter.WriteJsonAsync(http.Response, body, ConversationsJsonContext.Relaxed.ConversationListBody, http.RequestAborted);
    }

    /// <summary>
    /// The caller, then the <c>conversation</c> query parameter (default <c>default</c>) in the caller's partition or
    /// the one <c>partition</c> names; a null address once an error was written.
    /// </summary>
    private async Task<(ConversationAddress? Address, ConversationCaller Caller)> CheckAsync(HttpContext http)
    {
        var caller = await _access.AuthenticateAsync(http);
        if (caller.Error is { } denied)
        {
            await OpenAIResponseWriter.WriteErrorAsync(http.Response, denied, http.RequestAborted);
            return (null, caller);
        }

        string? requested = null;
        var values = http.Request.Query["conversation"];
        var error = ReadPartition(http, ref requested);
        var conversation = ConversationsOptions.DefaultConversation;
        if (values.Count > 1)
        {
            error = ConversationErrors.Invalid("conversation", "Give 'conversation' once.");
        }
        else if (values.Count == 1)
        {
            conversation = values[0] ?? string.Empty;
            error ??= ChatRequestChecker.CheckConversation(conversation);
        }

        var (partition, partitionError) = error is null ? ConversationAccess.Resolve(caller, requested) : (null, null);
        if ((error ?? partitionError) is { } refused)
        {
            await OpenAIResponseWriter.WriteErrorAsync(http.Response, refused, http.RequestAborted);
            return (null, caller);
        }

        return (new ConversationAddress(partition!, conversation), caller);
    }

    private Task WriteContextAsync(HttpContext http, ConversationState state, ConversationCaller caller)
    {
        var report = _service.Measure(state);
        var body = new ContextResponseBody
        {
            Conversation = state.Header.Name,
            // Only the master key is told partitions; a virtual key sees its own ids and nothing else.
            Partition = caller.Identity is { IsMaster: true } ? state.Header.Partition : null,
            SystemPrompt = report.SystemPrompt,
            ConversationSystemPrompt = state.Header.SystemPrompt,
            Summary = state.Header.Summary,
            Topics = report.Topics,
            Model = report.Model,
            ContextWindow = report.ContextWindow,
            Budget = report.Budget,
            Tokens = report.Tokens,
            TurnsInWindow = report.TurnsInWindow,
            CreatedAt = state.Header.CreatedAt,
            LastActiveAt = state.Header.LastActiveAt,
            Turns = [.. state.Turns.Select(t => new TurnView
            {
                Role = t.Turn.Role,
                Username = t.Turn.Speaker,
                Message = t.Turn.Text,
                Emotes = t.Turn.Emotes,
                At = t.Turn.At,
            })],
        };
        return OpenAIResponseWriter.WriteJsonAsync(http.Response, body, ConversationsJsonContext.Relaxed.ContextResponseBody, http.RequestAborted);
    }

    /// <summary>The optional <c>partition</c> query parameter (given once); checked against the caller by <see cref="ConversationAccess.Resolve"/>.</summary>
    private static GatewayError? ReadPartition(HttpContext http, ref string? partition)
    {
        var values = http.Request.Query["partition"];
        if (values.Count == 0)
        {
            return null;
        }

        if (values.Count > 1 || !ConversationPartitions.IsWellFormed(values[0] ?? string.Empty))
        {
            return ConversationErrors.PartitionInvalid;
        }

        partition = values[0];
        return null;
    }

    private static GatewayError? ReadInt(HttpContext http, string name, int min, int max, ref int value)
    {
        var values = http.Request.Query[name];
        if (values.Count == 0)
        {
            return null;
        }

        if (values.Count > 1 || !int.TryParse(values[0], NumberStyles.None, CultureInfo.InvariantCulture, out var parsed) || parsed < min || parsed > max)
        {
            return ConversationErrors.Invalid(name, $"'{name}' must be a whole number from {min} to {max}.");
        }

        value = parsed;
        return null;
    }

    private static ChatResponseBody ToBody(ChatReply reply) => new()
    {
        Conversation = reply.Conversation,
        Reply = reply.Reply,
        Model = reply.Model,
        TokensUsed = reply.TokensUsed,
        PromptTokens = reply.PromptTokens,
        CompletionTokens = reply.CompletionTokens,
        ResponseTimeMs = Math.Round(reply.ResponseTimeMs, 3),
        Topics = reply.Topics,
    };
}
