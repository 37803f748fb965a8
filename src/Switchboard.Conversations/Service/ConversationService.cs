using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Switchboard.Cleaning;
using Switchboard.Conversations.Configuration;
using Switchboard.Conversations.Dialogue;
using Switchboard.Conversations.Storage;
using Switchboard.Errors;
using Switchboard.Gateway.Configuration;
using Switchboard.Gateway.Pipeline;
using Switchboard.Gateway.Routing;
using Switchboard.Identity;
using Switchboard.OpenAI;
using Switchboard.Pipeline;
using Switchboard.Streaming;
using Switchboard.Tokens;

namespace Switchboard.Conversations.Service;

/// <summary>
/// The dialogue manager: takes a message, queues it behind the conversation's previous one, fits the dialogue into the
/// model's window (system prompts kept, oldest turns dropped or summarized), asks the gateway's pipeline in-process
/// (so keys, limits, routing, fallbacks, the cache and usage records apply), cleans the reply and stores both turns in
/// one transaction. A refused message or a failed reply leaves the conversation as it was.
/// </summary>
public sealed partial class ConversationService
{
    private readonly ConversationsOptions _options;
    private readonly GatewayPipeline _pipeline;
    private readonly RouteTable _routes;
    private readonly ConversationStore _store;
    private readonly ConversationLocks _locks;
    private readonly ConversationCache _cache;
    private readonly ITokenCounter _tokens;
    private readonly TimeProvider _time;
    private readonly ResponseCleaner _cleaner;
    private readonly ILogger _logger;
    private readonly Func<string, int> _count;

    public ConversationService(
        IOptions<ConversationsOptions> options,
        IOptions<SwitchboardOptions> gateway,
        GatewayPipeline pipeline,
        RouteTable routes,
        ConversationStore store,
        ConversationLocks locks,
        ConversationCache cache,
        ITokenCounter tokens,
        TimeProvider timeProvider,
        ILogger<ConversationService> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(gateway);
        _options = options.Value;
        _pipeline = pipeline;
        _routes = routes;
        _store = store;
        _locks = locks;
        _cache = cache;
        _tokens = tokens;
        _time = timeProvider;
        _logger = logger;
        _count = tokens.CountTokens;
        var cleaning = gateway.Value.Cleaning;
        _cleaner = new ResponseCleaner(new ResponseCleanerOptions
        {
            ExtraPatterns = [.. cleaning.Patterns],
            StripRoleTags = cleaning.StripRoleTags,
            StripSpeakerPrefix = cleaning.StripSpeakerPrefix,
        });
        DefaultModel = _options.Model ?? routes.Models.FirstOrDefault()?.Name ?? string.Empty;
    }

    /// <summary>The model a message without <c>model</c> is answered by.</summary>
    public string DefaultModel { get; }

    /// <summary>Where the last message's time went (the benchmark's per-phase split); null records nothing.</summary>
    internal ChatPhases? Phases { get; set; }

    /// <summary>Answers a message (streamed to <paramref name="stream"/> when given). Failures are values; cancellation throws.</summary>
    /// <param name="input">The checked message.</param>
    /// <param name="headers">The client's request headers: the pipeline's auth and other stages read them as for any request.</param>
    /// <param name="requestId">The request id for the pipeline call and its usage record; null makes one.</param>
    /// <param name="stream">Where to send the reply as it comes; null for a whole reply.</param>
    /// <param name="cancellationToken">The client's token: a client that leaves cancels the model call, and nothing is stored.</param>
    public async ValueTask<ChatOutcome> ChatAsync(
        ChatInput input,
        IReadOnlyDictionary<string, string> headers,
        string? requestId,
        IReplyStream? stream,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(headers);
        var started = _time.GetTimestamp();
        var modelName = input.Model ?? DefaultModel;
        if (_routes.Resolve(modelName) is not { } route)
        {
            return ChatOutcome.Failed(GatewayError.ModelNotFound(modelName));
        }

        var maxTokens = input.MaxTokens ?? _options.MaxTokens;
        var contextWindow = route.ContextWindow ?? _options.ContextWindow;
        var budget = contextWindow - maxTokens;
        if (budget <= 0)
        {
            return ChatOutcome.Failed(ConversationErrors.Invalid("max_tokens", $"max_tokens {maxTokens} leaves no room for the prompt in the model's context window of {contextWindow} tokens."));
        }

        var phases = Phases;
        var mark = System.Diagnostics.Stopwatch.GetTimestamp();
        var address = new ConversationAddress(input.Partition, input.Conversation);
        await using var turn = await _locks.AcquireAsync(address.Key, cancellationToken);
        if (turn is null)
        {
            return ChatOutcome.Failed(ConversationErrors.Busy(input.Conversation, TimeSpan.FromSeconds(1)));
        }

        Lap(ref mark, phases, static (p, t) => p.Lock = t);
        var now = _time.GetUtcNow();
        var state = await LoadCurrentAsync(address, now, deleteExpired: true, cancellationToken);
        Lap(ref mark, phases, static (p, t) => p.Load = t);
        var userTurn = new DialogueTurn(DialogueTurn.UserRole, input.Username, input.Message, now, input.Emotes);
        userTurn = userTurn with { Tokens = _count(DialogueWindow.ToMessage(userTurn, _options.AttributeSpeakers).Text) };
        var systemPrompt = SystemPrompt(state?.Header.SystemPrompt, input.SystemPrompt);

        var plan = await PlanWindowAsync(state, userTurn, systemPrompt, budget, modelName, input, headers, cancellationToken);
        if (plan.Prompt is null)
        {
            return ChatOutcome.Failed(ConversationErrors.TooLongForWindow(budget, contextWindow));
        }

        var request = new ChatCompletionRequest
        {
            Model = modelName,
            Messages = plan.Prompt.Messages,
            MaxTokens = maxTokens,
            Stream = stream is null ? null : true,
            User = input.Username,
        };
        var context = NewContext(request, headers, requestId, input.Username, input.Caller);
        Lap(ref mark, phases, static (p, t) => p.Plan = t);

        var knownEmotes = KnownEmotes(state, input.Emotes);
        var cleaning = new CleaningContext
        {
            AssistantNames = [_options.BotName, route.Name],
            OtherSpeakers = Speakers(state, input.Username),
        };
        var (reply, error) = stream is null
            ? await ReplyAsync(context, cleaning, knownEmotes, cancellationToken)
            : await StreamReplyAsync(context, cleaning, knownEmotes, stream, cancellationToken);
        Lap(ref mark, phases, static (p, t) => p.Reply = t);

        var change = new ConversationChange(plan.Summary, plan.SummaryThrough, error is null ? route.Name : null);
        if (error is not null)
        {
            if (_options.KeepUnanswered)
            {
                await SaveAsync(state, address, [userTurn], change, now, CancellationToken.None);
            }

            return ChatOutcome.Failed(error, context);
        }

        var botTurn = new DialogueTurn(DialogueTurn.AssistantRole, _options.BotName, reply!, _time.GetUtcNow(), []) { Tokens = _count(reply!) };
        // Stored even when the client left during the last chunk: the model did answer.
        var saved = await SaveAsync(state, address, [userTurn, botTurn], change, now, CancellationToken.None);
        Lap(ref mark, phases, static (p, t) => p.Save = t);
        var usage = context.Usage;
        var outcome = new ChatOutcome(
            new ChatReply(
                input.Conversation,
                reply!,
                context.Route?.Name ?? route.Name,
                usage?.TotalTokens ?? plan.Prompt.PromptTokens + botTurn.Tokens!.Value,
                usage?.PromptTokens ?? plan.Prompt.PromptTokens,
                usage?.CompletionTokens ?? botTurn.Tokens!.Value,
                _time.GetElapsedTime(started).TotalMilliseconds,
                Topics(saved.Turns)),
            null,
            context);
        Lap(ref mark, phases, static (p, t) => p.Finish = t);
        return outcome;
    }

    /// <summary>The conversation as stored now, or null when there is none (or it expired).</summary>
    public async ValueTask<ConversationState?> GetAsync(ConversationAddress conversation, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(conversation);
        var state = await LoadCurrentAsync(conversation, _time.GetUtcNow(), deleteExpired: false, cancellationToken);
        return state;
    }

    /// <summary>What the next message's prompt would hold now: the window over the stored dialogue, without a new message.</summary>
    public ContextWindowReport Measure(ConversationState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        var model = state.Header.Model ?? DefaultModel;
        var contextWindow = _routes.Resolve(model)?.ContextWindow ?? _options.ContextWindow;
        var budget = contextWindow - _options.MaxTokens;
        var candidates = Candidates(state, state.Header.SummaryThrough);
        var prompt = DialogueWindow.Build(SystemPrompt(state.Header.SystemPrompt, null), state.Header.Summary, candidates, int.MaxValue, _options.AttributeSpeakers, _count)!;
        var fitted = DialogueWindow.Build(SystemPrompt(state.Header.SystemPrompt, null), state.Header.Summary, candidates, budget, _options.AttributeSpeakers, _count);
        return new ContextWindowReport(
            model,
            contextWindow,
            budget,
            fitted?.PromptTokens ?? prompt.PromptTokens,
            fitted?.IncludedTurns ?? 0,
            Topics(state.Turns),
            SystemPrompt(state.Header.SystemPrompt, null));
    }

    /// <summary>Sets a conversation's own system prompt (creating the conversation), one message at a time like any change.</summary>
    public async ValueTask<(ConversationState? State, GatewayError? Error)> SetSystemPromptAsync(ConversationAddress conversation, string? systemPrompt, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(conversation);
        await using var turn = await _locks.AcquireAsync(conversation.Key, cancellationToken);
        if (turn is null)
        {
            return (null, ConversationErrors.Busy(conversation.Name, TimeSpan.FromSeconds(1)));
        }

        var now = _time.GetUtcNow();
        var state = await LoadCurrentAsync(conversation, now, deleteExpired: true, cancellationToken);
        var header = await _store.SetSystemPromptAsync(state?.Header, conversation, systemPrompt, now, CancellationToken.None);
        var updated = new ConversationState(header, state?.Turns ?? []);
        _cache.Set(conversation, updated);
        return (updated, null);
    }

    /// <summary>Deletes a conversation; false when there was none.</summary>
    public async ValueTask<bool> DeleteAsync(ConversationAddress conversation, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(conversation);
        await using var turn = await _locks.AcquireAsync(conversation.Key, cancellationToken);
        var deleted = await _store.DeleteAsync(conversation, cancellationToken);
        _cache.Remove(conversation);
        return deleted;
    }

    /// <summary>Conversations of <paramref name="partition"/> (null: of all), the most recently active first.</summary>
    public Task<IReadOnlyList<ConversationHeader>> ListAsync(string? partition, int limit, int offset, CancellationToken cancellationToken) =>
        _store.ListAsync(partition, limit, offset, cancellationToken);

    private async ValueTask<ConversationState?> LoadCurrentAsync(ConversationAddress conversation, DateTimeOffset now, bool deleteExpired, CancellationToken cancellationToken)
    {
        var header = await _store.FindAsync(conversation, cancellationToken);
        if (header is null)
        {
            _cache.Remove(conversation);
            return null;
        }

        if (now - header.LastActiveAt >= _options.IdleTimeout)
        {
            if (deleteExpired)
            {
                await _store.DeleteAsync(conversation, cancellationToken);
                _cache.Remove(conversation);
                Log.Expired(_logger, conversation.Name, conversation.Partition);
            }

            return null;
        }

        if (_cache.Get(conversation, header) is { } cached)
        {
            return cached;
        }

        var state = new ConversationState(header, await _store.LoadTurnsAsync(header.Id, _options.HistoryLimit, cancellationToken));
        _cache.Set(conversation, state);
        return state;
    }

    private async ValueTask<ConversationState> SaveAsync(ConversationState? state, ConversationAddress conversation, IReadOnlyList<DialogueTurn> turns, ConversationChange change, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var (header, added) = await _store.AppendAsync(state?.Header, conversation, turns, change, now, _options.HistoryLimit, cancellationToken);
        var previous = state?.Turns ?? [];
        var keep = Math.Min(previous.Count, header.TurnCount - added.Count);
        var all = new StoredTurn[Math.Max(0, keep) + added.Count];
        for (var i = 0; i < keep; i++)
        {
            all[i] = previous[previous.Count - keep + i];
        }

        for (var i = 0; i < added.Count; i++)
        {
            all[Math.Max(0, keep) + i] = added[i];
        }

        var updated = new ConversationState(header, all);
        _cache.Set(conversation, updated);
        return updated;
    }

    /// <summary>The window for this message, summarizing the oldest turns first when they no longer fit and summaries are on.</summary>
    private async ValueTask<WindowPlan> PlanWindowAsync(
        ConversationState? state,
        DialogueTurn userTurn,
        string systemPrompt,
        int budget,
        string model,
        ChatInput input,
        IReadOnlyDictionary<string, string> headers,
        CancellationToken cancellationToken)
    {
        var summaryOptions = _options.Summary;
        var summary = summaryOptions.Enabled ? state?.Header.Summary : null;
        var through = summaryOptions.Enabled ? state?.Header.SummaryThrough ?? 0 : 0;
        var stored = state is null ? [] : Stored(state, through);
        var candidates = new List<DialogueTurn>(stored.Count + 1);
        candidates.AddRange(stored.Select(t => t.Turn));
        candidates.Add(userTurn);
        var prompt = DialogueWindow.Build(systemPrompt, summary, candidates, budget, _options.AttributeSpeakers, _count);
        if (prompt is not { DroppedTurns: > 0 } || !summaryOptions.Enabled)
        {
            return new WindowPlan(prompt, summary, through);
        }

        // Summarize everything but the newest turns that fill keep_ratio of the window, so the next few messages fit
        // without another summary.
        var keepBudget = (int)(budget * summaryOptions.KeepRatio);
        var keep = Math.Max(1, DialogueWindow.Build(systemPrompt, summary, candidates, keepBudget, _options.AttributeSpeakers, _count)?.IncludedTurns ?? 1);
        var cut = candidates.Count - keep;
        if (cut <= 0)
        {
            return new WindowPlan(prompt, summary, through);
        }

        var newSummary = await SummarizeAsync(summary, candidates.GetRange(0, cut), model, input, headers, cancellationToken);
        if (newSummary is null)
        {
            return new WindowPlan(prompt, summary, through);
        }

        var rest = candidates.GetRange(cut, keep);
        var summarized = DialogueWindow.Build(systemPrompt, newSummary, rest, budget, _options.AttributeSpeakers, _count);
        return summarized is null ? new WindowPlan(prompt, summary, through) : new WindowPlan(summarized, newSummary, stored[cut - 1].Seq);
    }

    private async ValueTask<string?> SummarizeAsync(string? previous, IReadOnlyList<DialogueTurn> turns, string model, ChatInput input, IReadOnlyDictionary<string, string> headers, CancellationToken cancellationToken)
    {
        var transcript = new StringBuilder();
        if (!string.IsNullOrEmpty(previous))
        {
            transcript.Append("Summary so far: ").Append(previous).Append("\n\n");
        }

        transcript.Append("Conversation:\n");
        foreach (var turn in turns)
        {
            transcript.Append(turn.Speaker).Append(": ").Append(turn.Text).Append('\n');
        }

        var request = new ChatCompletionRequest
        {
            Model = _options.Summary.Model ?? model,
            Messages = [ChatMessage.System(_options.Summary.Prompt), ChatMessage.User(transcript.ToString().TrimEnd())],
            MaxTokens = _options.Summary.MaxTokens,
        };
        var context = NewContext(request, headers, null, input.Username, input.Caller);
        var result = await _pipeline.CompleteChatAsync(context, cancellationToken);
        if (result is not ChatResult.Completed completed)
        {
            Log.SummaryFailed(_logger, request.Model, result.Error?.Message ?? "no answer");
            return null;
        }

        var text = _cleaner.Clean(FirstText(completed.Response), new CleaningContext { AssistantNames = [_options.BotName] }).Content.Trim();
        return text.Length == 0 ? null : text;
    }

    private async ValueTask<(string? Reply, GatewayError? Error)> ReplyAsync(GatewayContext context, CleaningContext cleaning, IReadOnlyList<string> emotes, CancellationToken cancellationToken)
    {
        var result = await _pipeline.CompleteChatAsync(context, cancellationToken);
        return result is ChatResult.Completed completed
            ? (Finish(FirstText(completed.Response), cleaning, emotes), null)
            : (null, result.Error ?? GatewayError.BadGateway("The model gave no answer."));
    }

    private async ValueTask<(string? Reply, GatewayError? Error)> StreamReplyAsync(
        GatewayContext context,
        CleaningContext cleaning,
        IReadOnlyList<string> emotes,
        IReplyStream stream,
        CancellationToken cancellationToken)
    {
        try
        {
            var result = (ChatResult)await _pipeline.InvokeAsync(context, cancellationToken);
            switch (result)
            {
                case ChatResult.Completed completed:
                    var whole = Finish(FirstText(completed.Response), cleaning, emotes);
                    await stream.BeginAsync(context, cancellationToken);
                    await stream.WriteAsync(whole, cancellationToken);
                    return (whole, null);
                case ChatResult.Streaming streaming:
                    return await ForwardAsync(streaming.Chunks, context, cleaning, emotes, stream, cancellationToken);
                default:
                    return (null, result.Error ?? GatewayError.BadGateway("The model gave no answer."));
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            context.Aborted = true;
            throw;
        }
        finally
        {
            await context.CompleteAsync();
        }
    }

    private async ValueTask<(string? Reply, GatewayError? Error)> ForwardAsync(
        IAsyncEnumerable<StreamedChunk> chunks,
        GatewayContext context,
        CleaningContext cleaning,
        IReadOnlyList<string> emotes,
        IReplyStream stream,
        CancellationToken cancellationToken)
    {
        var cleaner = _options.Clean ? _cleaner.BeginStream(cleaning) : null;
        var restorer = new StreamingEmoteRestorer(emotes);
        var reply = new StringBuilder();
        try
        {
            await foreach (var chunk in chunks.WithCancellation(cancellationToken))
            {
                if (chunk.Chunk.Choices is not { Count: > 0 } choices)
                {
                    continue;
                }

                foreach (var choice in choices)
                {
                    if (choice.Index == 0 && choice.Delta.Content is { Length: > 0 } content)
                    {
                        await EmitAsync(restorer.Push(cleaner is null ? content : cleaner.Push(content).Content));
                    }
                }
            }

            await EmitAsync(restorer.Push(cleaner?.Complete().Content ?? string.Empty) + restorer.Complete());
            return (reply.ToString().Trim(), null);
        }
        catch (ChatStreamException ex)
        {
            context.Error ??= ex.Error;
            return (null, ex.Error);
        }

        async ValueTask EmitAsync(string text)
        {
            if (!stream.HasBegun)
            {
                // Leading white space (what was left after a removed reasoning block) is not worth starting the stream for.
                text = text.TrimStart();
                if (text.Length == 0)
                {
                    return;
                }

                await stream.BeginAsync(context, cancellationToken);
            }

            if (text.Length > 0)
            {
                reply.Append(text);
                await stream.WriteAsync(text, cancellationToken);
            }
        }
    }

    private string Finish(string raw, CleaningContext cleaning, IReadOnlyList<string> emotes)
    {
        var text = _options.Clean ? _cleaner.Clean(raw, cleaning).Content : raw;
        return EmoteMarkup.FromModel(text, emotes).Trim();
    }

    private GatewayContext NewContext(ChatCompletionRequest request, IReadOnlyDictionary<string, string> headers, string? requestId, string username, CallerIdentity? caller)
    {
        var context = GatewayContext.ForChat(request, timeProvider: _time);
        context.RequestHeaders = headers;
        // Verified by the endpoint already: the auth stage lets a context with a caller through without a second look-up.
        context.Caller = caller;
        if (requestId is not null)
        {
            context.RequestId = requestId;
        }

        context.EndUser = username;
        // A streamed reply's token counts (the reply's usage, the window's accounting) come from the upstream's usage event.
        context.RequireUsage = true;
        return context;
    }

    private string SystemPrompt(string? conversation, string? request)
    {
        var parts = new List<string>(3);
        foreach (var part in new[] { _options.SystemPrompt, conversation, request })
        {
            if (!string.IsNullOrWhiteSpace(part))
            {
                parts.Add(part.Trim());
            }
        }

        return string.Join("\n\n", parts);
    }

    private IReadOnlyList<string> Topics(IReadOnlyList<StoredTurn> turns)
    {
        if (_options.Topics == 0)
        {
            return [];
        }

        var recent = new DialogueTurn[Math.Min(turns.Count, 20)];
        for (var i = 0; i < recent.Length; i++)
        {
            recent[i] = turns[turns.Count - recent.Length + i].Turn;
        }

        return TopicTracker.Extract(recent, _options.Topics);
    }

    private static IReadOnlyList<StoredTurn> Stored(ConversationState state, long after)
    {
        var turns = state.Turns;
        var first = 0;
        while (first < turns.Count && turns[first].Seq <= after)
        {
            first++;
        }

        return first == 0 ? turns : turns.Skip(first).ToArray();
    }

    private List<DialogueTurn> Candidates(ConversationState state, long after) =>
        [.. Stored(state, _options.Summary.Enabled ? after : 0).Select(t => t.Turn)];

    private static string[] Speakers(ConversationState? state, string username)
    {
        var speakers = new HashSet<string>(StringComparer.OrdinalIgnoreCase) { username };
        if (state is not null)
        {
            var turns = state.Turns;
            for (var i = Math.Max(0, turns.Count - 50); i < turns.Count; i++)
            {
                if (turns[i].Turn.Role == DialogueTurn.UserRole)
                {
                    speakers.Add(turns[i].Turn.Speaker);
                }
            }
        }

        return [.. speakers];
    }

    private static string[] KnownEmotes(ConversationState? state, IReadOnlyList<string> emotes)
    {
        var known = new HashSet<string>(emotes, StringComparer.Ordinal);
        if (state is not null)
        {
            var turns = state.Turns;
            for (var i = Math.Max(0, turns.Count - 50); i < turns.Count; i++)
            {
                known.UnionWith(turns[i].Turn.Emotes);
            }
        }

        return [.. known];
    }

    private static void Lap(ref long mark, ChatPhases? phases, Action<ChatPhases, long> record)
    {
        if (phases is null)
        {
            return;
        }

        var now = System.Diagnostics.Stopwatch.GetTimestamp();
        record(phases, now - mark);
        mark = now;
    }

    private static string FirstText(ChatCompletionResponse response) =>
        response.Choices is { Count: > 0 } choices ? choices[0].Message.Text : string.Empty;

    private sealed record WindowPlan(WindowedPrompt? Prompt, string? Summary, long SummaryThrough);

    private static partial class Log
    {
        [LoggerMessage(EventId = 1100, Level = LogLevel.Information, Message = "Conversation {Conversation} of partition {Partition} had been idle past conversations.idle_timeout and was deleted; it starts afresh")]
        public static partial void Expired(ILogger logger, string conversation, string partition);

        [LoggerMessage(EventId = 1101, Level = LogLevel.Warning, Message = "Could not summarize dropped turns with model {Model} ({Reason}); they are dropped without a summary this time")]
        public static partial void SummaryFailed(ILogger logger, string? model, string reason);
    }
}
