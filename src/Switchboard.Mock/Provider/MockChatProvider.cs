using System.Runtime.CompilerServices;
using Switchboard.Errors;
using Switchboard.Mock.Embeddings;
using Switchboard.Mock.Loading;
using Switchboard.Mock.Matching;
using Switchboard.Mock.Replies;
using Switchboard.OpenAI;
using Switchboard.Pipeline;
using Switchboard.Streaming;
using Switchboard.Validation;

namespace Switchboard.Mock.Provider;

/// <summary>
/// The gateway's <c>mock</c> provider: answers from fixtures with the same engine as <c>switchboard mock</c>,
/// or, with no fixtures configured, with the deterministic echo model. Faults that need a socket (a dropped
/// connection, a malformed chunk) become 502 errors: before a stream starts as a failed result, after as
/// a <see cref="ChatStreamException"/>.
/// </summary>
public sealed class MockChatProvider : IChatProvider, IDisposable
{
    private readonly FixtureWatcher? _watcher;

    /// <param name="name">The provider's name in configuration.</param>
    /// <param name="engine">The engine that answers.</param>
    /// <param name="watcher">Keeps the engine's fixtures in step with their files; owned (disposed) by this provider.</param>
    public MockChatProvider(string name, MockEngine engine, FixtureWatcher? watcher = null)
    {
        ArgumentNullException.ThrowIfNull(name);
        Name = name;
        Engine = engine ?? throw new ArgumentNullException(nameof(engine));
        _watcher = watcher;
    }

    /// <summary>Stops watching the fixture files.</summary>
    public void Dispose() => _watcher?.Dispose();

    public string Name { get; }

    private static readonly IReadOnlyDictionary<string, string> NoHeaders = new Dictionary<string, string>();

    public string Type => MockChatProviderFactory.TypeName;

    /// <summary>Fixture faults are what a test asked for, not ill health: the gateway never opens the mock's circuits.</summary>
    public ProviderTraits Traits => ProviderTraits.Scripted;

    /// <summary>Loads the tokenizer the mock counts usage with (a few hundred milliseconds), so the first request does not wait for it.</summary>
    public ValueTask WarmUpAsync(CancellationToken cancellationToken)
    {
        Engine.Responder.Tokens.CountTokens("warm up");
        return ValueTask.CompletedTask;
    }

    /// <summary>The engine, for tests and for listing the models it knows.</summary>
    public MockEngine Engine { get; }

    public ValueTask<ChatResult> ChatAsync(ChatCompletionRequest request, CancellationToken cancellationToken) =>
        ChatAsync(request, NoHeaders, cancellationToken);

    /// <summary>Answers from the fixtures; header matchers see the client's request headers.</summary>
    public async ValueTask<ChatResult> ChatAsync(ChatCompletionRequest request, IReadOnlyDictionary<string, string> clientHeaders, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (ChatRequestValidator.Validate(request, requireModel: false) is { } invalid)
        {
            return ChatResult.From(invalid);
        }

        var exchange = await Engine.HandleAsync(MockRequest.Create(request, headers: clientHeaders), cancellationToken);
        var fixture = exchange.Fixture?.ToString() ?? "echo";
        return exchange.Reply switch
        {
            // A saved answer's bytes go to the client as saved, as an upstream's do.
            MockReply.Completion completion => completion.Json.IsEmpty ? new ChatResult.Completed(completion.Response) : new ChatResult.Completed(completion.Response, completion.Json),
            MockReply.Failure failure => ChatResult.From(failure.Error),
            MockReply.Stream stream => new ChatResult.Streaming(Chunks(stream.Events, fixture, cancellationToken)),
            MockReply.Dropped => ChatResult.From(GatewayError.BadGateway($"The mock dropped the connection (fault injected by fixture {fixture}).")),
            MockReply.Malformed => ChatResult.From(GatewayError.BadGateway($"The mock answered with a malformed body (fault injected by fixture {fixture}).")),
            _ => throw new InvalidOperationException($"Unknown mock reply {exchange.Reply.GetType().Name}."),
        };
    }

    public ValueTask<EmbeddingResult> EmbedAsync(EmbeddingRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if ((EmbeddingRequestValidator.Validate(request) ?? DeterministicEmbeddings.TooLarge(request)) is { } invalid)
        {
            return ValueTask.FromResult(EmbeddingResult.Failure(invalid));
        }

        return ValueTask.FromResult(EmbeddingResult.Success(DeterministicEmbeddings.Respond(request, Engine.Responder.Tokens, cancellationToken)));
    }

    public ValueTask<ProviderHealth> CheckHealthAsync(CancellationToken cancellationToken) => ValueTask.FromResult(ProviderHealth.Healthy);

    private static async IAsyncEnumerable<StreamedChunk> Chunks(
        IAsyncEnumerable<MockStreamEvent> events,
        string fixture,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var item in events.WithCancellation(cancellationToken))
        {
            switch (item)
            {
                case MockStreamEvent.Chunk chunk:
                    yield return StreamedChunk.From(chunk.Value);
                    break;
                case MockStreamEvent.Malformed:
                    throw new ChatStreamException(GatewayError.BadGateway($"The mock sent a malformed stream chunk (fault injected by fixture {fixture})."));
                case MockStreamEvent.Drop:
                    throw new ChatStreamException(GatewayError.BadGateway($"The mock dropped the stream (fault injected by fixture {fixture})."));
            }
        }
    }
}
