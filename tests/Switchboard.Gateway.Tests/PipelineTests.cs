using Microsoft.Extensions.DependencyInjection;
using Switchboard.Errors;
using Switchboard.Gateway.Pipeline;
using Switchboard.OpenAI;
using Switchboard.Pipeline;
using Switchboard.Streaming;

namespace Switchboard.Gateway.Tests;

/// <summary>The pipeline itself, with hand-written stages and terminals: order, short-circuits, operations, streams, completion.</summary>
public sealed class PipelineTests
{
    private static readonly IServiceProvider NoServices = new ServiceCollection().BuildServiceProvider();

    private readonly List<string> _log = [];

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static GatewayContext Chat(bool stream = false) =>
        GatewayContext.ForChat(new ChatCompletionRequest { Model = "m", Stream = stream, Messages = [ChatMessage.User("hi")] });

    private GatewayDelegate Terminal(Func<GatewayContext, GatewayResult>? answer = null) => (context, _) =>
    {
        _log.Add("terminal");
        return new ValueTask<GatewayResult>(answer?.Invoke(context) ?? Completion("answer"));
    };

    private static ChatResult Completion(string text) => new ChatResult.Completed(new ChatCompletionResponse
    {
        Id = "chatcmpl-1",
        Model = "m",
        Choices = [new ChatChoice { Message = ChatMessage.Assistant(text), FinishReason = "stop" }],
        Usage = Usage.Of(3, 2),
    });

    [Fact]
    public async Task StagesMeetTheRequestInOrderAndTheAnswerInReverse()
    {
        var pipeline = new GatewayPipelineBuilder(NoServices)
            .Use(new RecordingStage("a", _log))
            .Use(new RecordingStage("b", _log))
            .Use(new RecordingStage("c", _log))
            .Build(Terminal());

        var result = await pipeline.InvokeAsync(Chat(), Ct);

        Assert.IsType<ChatResult.Completed>(result);
        Assert.Equal(["a>", "b>", "c>", "terminal", "<c", "<b", "<a"], _log);
        Assert.Equal(["a", "b", "c"], pipeline.Stages.Select(s => s.Name));
    }

    [Fact]
    public async Task AStageThatAnswersItselfSkipsTheStagesAfterItAndTheTerminal()
    {
        var limited = GatewayError.RateLimited("slow down", TimeSpan.FromSeconds(7));
        var pipeline = new GatewayPipelineBuilder(NoServices)
            .Use(new RecordingStage("outer", _log))
            .Use(new AnsweringStage(context => context.Fail(limited)))
            .Use(new RecordingStage("inner", _log))
            .Build(Terminal());
        var context = Chat();

        var result = await pipeline.InvokeAsync(context, Ct);

        Assert.Same(limited, Assert.IsType<ChatResult.Failed>(result).Error);
        Assert.Equal(["outer>", "<outer"], _log);
        Assert.Same(limited, context.Error);
        Assert.Equal(429, context.StatusCode);
        Assert.Null(context.Attempts);
    }

    [Fact]
    public async Task AFailureIsOfTheRequestsOwnKind()
    {
        var error = GatewayError.InvalidRequest("no");
        var pipeline = new GatewayPipelineBuilder(NoServices).Use(new AnsweringStage(context => context.Fail(error))).Build(Terminal());

        Assert.IsType<ChatResult.Failed>(await pipeline.InvokeAsync(Chat(), Ct));
        Assert.Same(error, Assert.IsType<EmbeddingResult>(await pipeline.InvokeAsync(GatewayContext.ForEmbeddings(new EmbeddingRequest { Model = "e" }), Ct)).Error);
        Assert.Same(error, Assert.IsType<ModelsResult>(await pipeline.InvokeAsync(GatewayContext.ForModels(), Ct)).Error);
    }

    [Fact]
    public async Task AStageMeetsOnlyTheOperationsItServes()
    {
        var chatOnly = new RecordingStage("chat-only", _log, GatewayOperations.Chat);
        var inference = new RecordingStage("inference", _log, GatewayOperations.Inference);
        var pipeline = new GatewayPipelineBuilder(NoServices)
            .Use(chatOnly)
            .Use(inference)
            .Use(new RecordingStage("off", _log, GatewayOperations.None))
            .Build(Terminal(context => context.Operation == GatewayOperations.Models
                ? ModelsResult.Listed(new ModelList { Data = [] })
                : Completion("x")));

        await pipeline.InvokeAsync(GatewayContext.ForModels(), Ct);
        Assert.Equal(["terminal"], _log);
        _log.Clear();

        await pipeline.InvokeAsync(GatewayContext.ForEmbeddings(new EmbeddingRequest { Model = "e" }), Ct);
        Assert.Equal(["inference>", "terminal", "<inference"], _log);
        _log.Clear();

        await pipeline.InvokeAsync(Chat(), Ct);
        Assert.Equal(["chat-only>", "inference>", "terminal", "<inference", "<chat-only"], _log);

        Assert.Equal(["chat-only", "inference"], pipeline.Stages.Select(s => s.Name));
        Assert.Equal(["inference"], pipeline.StagesFor(GatewayOperations.Embeddings).Select(s => s.Name));
        Assert.Equal("chat-only → inference → router", pipeline.Describe(GatewayOperations.Chat));
    }

    [Fact]
    public async Task AStageThatWrapsAStreamChangesEveryChunkOnItsWayBack()
    {
        var pipeline = new GatewayPipelineBuilder(NoServices)
            .Use(new UppercaseStage())
            .Build(Terminal(_ => new ChatResult.Streaming(Chunks("hel", "lo"))));

        var result = Assert.IsType<ChatResult.Streaming>(await pipeline.InvokeAsync(Chat(stream: true), Ct));
        var texts = new List<string?>();
        await foreach (var chunk in result.Chunks.WithCancellation(Ct))
        {
            texts.Add(chunk.Chunk.Choices[0].Delta.Content);
        }

        Assert.Equal(["HEL", "LO"], texts);
    }

    [Fact]
    public async Task CompletionCallbacksRunAfterTheLastChunkInnerStagesFirst()
    {
        var completed = new List<string>();
        var pipeline = new GatewayPipelineBuilder(NoServices)
            .Use(new CompletionStage("outer", completed))
            .Use(new CompletionStage("inner", completed))
            .Build(Terminal(_ => new ChatResult.Streaming(Chunks("a", "b"))));
        var context = Chat(stream: true);

        var result = Assert.IsType<ChatResult.Streaming>(await pipeline.InvokeAsync(context, Ct));
        Assert.Empty(completed);
        var seen = 0;
        await foreach (var chunk in result.Chunks.WithCancellation(Ct))
        {
            seen++;
            Assert.Empty(completed);
        }

        Assert.Equal(2, seen);
        Assert.Equal(["inner", "outer"], completed);
        Assert.True(context.IsCompleted);
        Assert.NotNull(context.Duration);
        Assert.Equal(200, context.StatusCode);
        Assert.False(context.Aborted);
    }

    [Fact]
    public async Task AStreamThatFailsMidwayIsRecordedAsItsError()
    {
        var broken = GatewayError.BadGateway("cut off");
        var completed = new List<string>();
        var pipeline = new GatewayPipelineBuilder(NoServices)
            .Use(new CompletionStage("usage", completed))
            .Build(Terminal(_ => new ChatResult.Streaming(FailingAfterOne(broken))));
        var context = Chat(stream: true);
        var result = Assert.IsType<ChatResult.Streaming>(await pipeline.InvokeAsync(context, Ct));

        await Assert.ThrowsAsync<ChatStreamException>(async () =>
        {
            await foreach (var chunk in result.Chunks.WithCancellation(Ct))
            {
            }
        });

        Assert.Equal(["usage"], completed);
        Assert.Same(broken, context.Error);
        Assert.Equal(502, context.StatusCode);
    }

    [Fact]
    public async Task AStreamAbandonedByItsReaderCompletesTheRequestAsAborted()
    {
        var completed = new List<string>();
        var pipeline = new GatewayPipelineBuilder(NoServices)
            .Use(new CompletionStage("usage", completed))
            .Build(Terminal(_ => new ChatResult.Streaming(Chunks("a", "b", "c"))));
        var context = Chat(stream: true);
        var result = Assert.IsType<ChatResult.Streaming>(await pipeline.InvokeAsync(context, Ct));

        await foreach (var chunk in result.Chunks.WithCancellation(Ct))
        {
            break;
        }

        Assert.Equal(["usage"], completed);
        Assert.True(context.Aborted);
        Assert.Equal(499, context.StatusCode);
    }

    [Fact]
    public async Task CompletionCallbacksHearOfAnswersThatStagesGaveThemselves()
    {
        var completed = new List<string>();
        var pipeline = new GatewayPipelineBuilder(NoServices)
            .Use(new CompletionStage("usage", completed))
            .Use(new AnsweringStage(context => context.Fail(GatewayError.RateLimited("no", TimeSpan.FromSeconds(1)))))
            .Build(Terminal());

        var context = Chat();
        await pipeline.InvokeAsync(context, Ct);
        Assert.Empty(completed);
        await context.CompleteAsync();
        await context.CompleteAsync();

        Assert.Equal(["usage"], completed);
        Assert.Equal(429, context.StatusCode);
        Assert.Equal(ErrorCodes.RateLimitExceeded, context.ErrorCode);
    }

    [Fact]
    public async Task AnInProcessCallerGetsAStreamAsOneCompletion()
    {
        var completed = new List<string>();
        var pipeline = new GatewayPipelineBuilder(NoServices)
            .Use(new CompletionStage("usage", completed))
            .Build(Terminal(_ => new ChatResult.Streaming(Chunks("Hello", ", ", "world"))));
        var context = Chat(stream: true);

        var result = await pipeline.CompleteChatAsync(context, Ct);

        var completion = Assert.IsType<ChatResult.Completed>(result).Response;
        Assert.Equal("Hello, world", completion.Choices[0].Message.Text);
        Assert.Equal("stop", completion.Choices[0].FinishReason);
        Assert.Equal(["usage"], completed);
    }

    [Fact]
    public async Task StagesOfOtherAssembliesAreCreatedWithTheirDependencies()
    {
        var services = new ServiceCollection().AddSingleton(_log).BuildServiceProvider();
        var pipeline = new GatewayPipelineBuilder(services).Use<InjectedStage>().Build(Terminal());

        await pipeline.InvokeAsync(Chat(), Ct);

        Assert.Equal(["injected", "terminal"], _log);
    }

    [Fact]
    public void TheContextRefusesTheRequestOfAnotherOperation()
    {
        var context = GatewayContext.ForEmbeddings(new EmbeddingRequest { Model = "e" });
        Assert.Throws<InvalidOperationException>(() => context.ChatRequest);
    }

    [Fact]
    public void TheClientsBytesAreOfferedOnlyWhileTheRequestIsTheOneTheyWereReadInto()
    {
        var request = new ChatCompletionRequest { Model = "m", Messages = [] };
        var context = GatewayContext.ForChat(request, """{"model":"m","messages":[]}"""u8.ToArray());

        Assert.False(context.ClientJson.IsEmpty);

        context.ChatRequest = request with { Temperature = 0 };
        Assert.True(context.ClientJson.IsEmpty);

        context.ChatRequest = request;
        Assert.False(context.ClientJson.IsEmpty);
    }

    [Fact]
    public void TheEndUserIsTheHeaderElseTheUserField()
    {
        var request = new ChatCompletionRequest { Model = "m", Messages = [], User = "from-body" };

        Assert.Equal("from-body", GatewayContext.ForChat(request).EndUser);
        var withHeader = GatewayContext.ForChat(request);
        withHeader.RequestHeaders = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase) { ["X-Switchboard-User"] = "from-header" };
        Assert.Equal("from-header", withHeader.EndUser);
        Assert.Null(GatewayContext.ForModels().EndUser);
    }

    private static async IAsyncEnumerable<StreamedChunk> Chunks(params string[] texts)
    {
        for (var i = 0; i < texts.Length; i++)
        {
            await Task.Yield();
            yield return StreamedChunk.From(new ChatCompletionChunk
            {
                Id = "chatcmpl-1",
                Model = "m",
                Choices = [new ChunkChoice { Delta = new ChatDelta { Content = texts[i] }, FinishReason = i == texts.Length - 1 ? "stop" : null }],
            });
        }
    }

    private static async IAsyncEnumerable<StreamedChunk> FailingAfterOne(GatewayError error)
    {
        await Task.Yield();
        yield return StreamedChunk.From(new ChatCompletionChunk { Choices = [new ChunkChoice { Delta = new ChatDelta { Content = "a" } }] });
        throw new ChatStreamException(error);
    }

    private sealed class RecordingStage(string name, List<string> log, GatewayOperations operations = GatewayOperations.All) : IGatewayStage
    {
        public string Name => name;

        public GatewayOperations Operations => operations;

        public async ValueTask<GatewayResult> InvokeAsync(GatewayContext context, GatewayDelegate next, CancellationToken cancellationToken)
        {
            log.Add(name + ">");
            var result = await next(context, cancellationToken);
            log.Add("<" + name);
            return result;
        }
    }

    private sealed class AnsweringStage(Func<GatewayContext, GatewayResult> answer) : IGatewayStage
    {
        public string Name => "answering";

        public GatewayOperations Operations => GatewayOperations.All;

        public ValueTask<GatewayResult> InvokeAsync(GatewayContext context, GatewayDelegate next, CancellationToken cancellationToken) =>
            new(answer(context));
    }

    private sealed class UppercaseStage : IGatewayStage
    {
        public string Name => "uppercase";

        public GatewayOperations Operations => GatewayOperations.Chat;

        public async ValueTask<GatewayResult> InvokeAsync(GatewayContext context, GatewayDelegate next, CancellationToken cancellationToken)
        {
            var result = await next(context, cancellationToken);
            return result is ChatResult.Streaming streaming
                ? new ChatResult.Streaming(streaming.Chunks.Map(0, static (_, chunk) => StreamedChunk.From(chunk.Chunk with
                {
                    Choices = [.. chunk.Chunk.Choices.Select(c => c with { Delta = c.Delta with { Content = c.Delta.Content?.ToUpperInvariant() } })],
                })))
                : result;
        }
    }

    private sealed class CompletionStage(string name, List<string> completed) : IGatewayStage
    {
        public string Name => name;

        public GatewayOperations Operations => GatewayOperations.All;

        public ValueTask<GatewayResult> InvokeAsync(GatewayContext context, GatewayDelegate next, CancellationToken cancellationToken)
        {
            context.OnCompleted(static (_, state) =>
            {
                var (name, completed) = ((string, List<string>))state!;
                completed.Add(name);
                return ValueTask.CompletedTask;
            }, (name, completed));
            return next(context, cancellationToken);
        }
    }

    private sealed class InjectedStage(List<string> log) : IGatewayStage
    {
        public string Name => "injected";

        public GatewayOperations Operations => GatewayOperations.All;

        public ValueTask<GatewayResult> InvokeAsync(GatewayContext context, GatewayDelegate next, CancellationToken cancellationToken)
        {
            log.Add("injected");
            return next(context, cancellationToken);
        }
    }
}
