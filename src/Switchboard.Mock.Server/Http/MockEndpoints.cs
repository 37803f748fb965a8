using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Switchboard.Errors;
using Switchboard.Hosting.Http;
using Switchboard.Mock.Embeddings;
using Switchboard.Mock.Loading;
using Switchboard.Mock.Matching;
using Switchboard.Mock.Replies;
using Switchboard.Mock.Server.Admin;
using Switchboard.Mock.Server.Journal;
using Switchboard.Mock.Server.Recording;
using Switchboard.Mock.Text;
using Switchboard.OpenAI;
using Switchboard.Validation;

namespace Switchboard.Mock.Server.Http;

/// <summary>The OpenAI-compatible endpoints of the mock, with and without the <c>/v1</c> prefix.</summary>
internal static partial class MockEndpoints
{
    // Health checks and probes often ask with HEAD; Kestrel sends the GET answer's status and headers without its body.
    private static readonly string[] GetAndHead = [HttpMethods.Get, HttpMethods.Head];

    // One delegate for every journal entry: it captures nothing, so the entry holds no reference to the request's array.
    private static readonly Func<byte[], string> ReadLastUserMessage = LastUserMessageOf;

    public static void MapMockEndpoints(this IEndpointRouteBuilder endpoints)
    {
        // The chat endpoint's services are singletons: taken once here, not from each request's services (which would
        // create a service scope per request).
        var chat = new ChatServices(endpoints.ServiceProvider);
        RequestDelegate chatAsync = context => ChatAsync(context, chat);
        foreach (var prefix in new[] { "/v1", string.Empty })
        {
            endpoints.MapPost(prefix + "/chat/completions", chatAsync);
            endpoints.MapPost(prefix + "/embeddings", EmbeddingsAsync);
            endpoints.MapMethods(prefix + "/models", GetAndHead, ModelsAsync);
            // A catch-all: model ids may hold slashes (meta-llama/Llama-3-8B), as in the gateway.
            endpoints.MapMethods(prefix + "/models/{**id}", GetAndHead, ModelAsync);
        }

        endpoints.MapMethods("/health", GetAndHead, HealthAsync);
    }

    private static async Task ChatAsync(HttpContext context, ChatServices services)
    {
        var (options, engine, journal, logger, logBudget, recorder) = services;
        var cancellationToken = context.RequestAborted;
        // A body of up to 128 KiB is read into a pooled array, given back when the answer is written: nothing keeps it
        // past this request (the journal copies what it keeps, the request's views are strings or parsed copies).
        var (read, invalid) = await OpenAIRequestReader.ReadJsonBytesRentedAsync(context.Request, options.MaxBodyBytes, cancellationToken);
        try
        {
            // The body stays bytes until something asks for it as JSON (a json: matcher, the journal's reader); the
            // headers are read only if a matcher or the recorder looks at them, while the request is handled.
            var headers = context.Request.Headers.Select(h => new KeyValuePair<string, string>(h.Key, h.Value.ToString()));
            // A plain chat request (model, messages of string contents, stream) is read by one scan that decodes no
            // string; any other body, valid or not, goes through the gateway's reader and validator as before.
            var request = read is { } scanned ? MockRequest.TryCreate(scanned.Memory, headers) : null;
            if (request is null && invalid is null)
            {
                // The full reader's path keeps an array of the body's own (the parsed request's raw bytes may be read later).
                var body = OpenAIRequestReader.Parse(read!.Value.ToArray(), OpenAIJsonContext.Default.ChatCompletionRequest);
                invalid = body.Error ?? ChatRequestValidator.Validate(body.Value!);
                request = invalid is null ? MockRequest.Create(body.Value!, body.Raw, headers) : null;
            }

            if (request is null || read is not { } raw)
            {
                journal.Append(new JournalEntry
                {
                    Method = context.Request.Method,
                    Path = context.Request.Path,
                    Outcome = "invalid",
                    Status = invalid!.StatusCode,
                    Error = invalid.Message,
                    Time = engine.Responder.Time.GetUtcNow(),
                });
                if (logBudget.TryTake(isMiss: true))
                {
                    Log.Invalid(logger, context.Request.Method, context.Request.Path, invalid.StatusCode, invalid.Message);
                }

                await OpenAIResponseWriter.WriteErrorAsync(context.Response, invalid, cancellationToken);
                return;
            }

            var exchange = await engine.HandleAsync(request, cancellationToken);
            var reply = exchange.Reply;
            var outcome = exchange.IsEcho ? "echo" : exchange.Outcome.IsMatch ? (exchange.Outcome.IsAmbiguous ? "ambiguous" : "matched") : "miss";
            if (!exchange.Outcome.IsMatch && !exchange.IsEcho && recorder is not null)
            {
                reply = await recorder.ForwardAsync(request, context.Request, cancellationToken);
                outcome = reply is MockReply.Failure ? "miss" : "recorded";
            }

            var status = MockReplyWriter.StatusOf(reply);
            var keepBody = raw.Length <= options.JournalMaxBodyBytes;
            var fixture = exchange.Outcome.Fixture;
            var answered = outcome is "matched" or "ambiguous" && !(exchange.Outcome.IsAmbiguous && engine.Options.Strict);
            var entry = new JournalEntry
            {
                Time = engine.Responder.Time.GetUtcNow(),
                Method = context.Request.Method,
                Path = context.Request.Path,
                Model = request.Model,
                // Worked out from the kept bytes when read (a body too large to keep: from the parsed request), never from
                // the request's views, which read the connection's headers. The journal keeps no parsed copy of the body,
                // and nothing that holds the request's array: it copies the bytes into its ring, so the array goes back to
                // the pool when the request ends.
                LastUserMessageSource = keepBody ? null : LastUserMessageOf(request.Request),
                LastUserMessageReader = keepBody ? ReadLastUserMessage : null,
                Stream = request.IsStreaming,
                Outcome = outcome,
                Status = status,
                FixtureId = answered ? fixture?.Id : null,
                FixtureName = answered ? fixture?.Name : null,
                // Written out ("file:line") when read.
                Origin = answered ? fixture?.Source : null,
                Turn = answered ? exchange.Turn : null,
                NearMisses = exchange.Outcome.NearMisses.Count == 0 ? [] : [.. exchange.Outcome.NearMisses.Select(n => new JournalNearMiss(n.Fixture.Id, n.Fixture.Name, n.Fixture.Source.ToString(), Math.Round(n.Score, 3), n.Differences))],
                Ties = exchange.Outcome.Ties.Count == 0 ? [] : [.. exchange.Outcome.Ties.Select(t => t.Id)],
                Error = (reply as MockReply.Failure)?.Error.Message,
                BodyBytes = raw.Length,
                BodyTruncated = !keepBody,
            };
            if (keepBody)
            {
                journal.Append(entry, raw.Memory.Span);
            }
            else
            {
                journal.Append(entry);
            }

            if (logBudget.TryTake(isMiss: outcome == "miss"))
            {
                LogExchange(logger, context, request, exchange, outcome, status, reply);
            }

            await MockReplyWriter.WriteAsync(context, reply);
        }
        finally
        {
            read?.Return();
        }
    }

    /// <summary>What the chat endpoint uses on every request, resolved once.</summary>
    private sealed record ChatServices(MockServerOptions Options, MockEngine Engine, RequestJournal Journal, ILogger Logger, RequestLogBudget LogBudget, RecordingProxy? Recorder)
    {
        public ChatServices(IServiceProvider services)
            : this(
                services.GetRequiredService<MockServerOptions>(),
                services.GetRequiredService<MockEngine>(),
                services.GetRequiredService<RequestJournal>(),
                services.GetRequiredService<ILogger<MockEngine>>(),
                services.GetRequiredService<RequestLogBudget>(),
                services.GetService<RecordingProxy>())
        {
        }
    }

    private static string LastUserMessageOf(byte[] body) =>
        (MockRequest.TryCreate(body) ?? MockRequest.Create(OpenAIRequestReader.Parse(body, OpenAIJsonContext.Default.ChatCompletionRequest).Value!, ReadOnlyMemory<byte>.Empty)).LastUserMessage;

    private static Func<string> LastUserMessageOf(ChatCompletionRequest chat) => () => MockRequest.Create(chat, ReadOnlyMemory<byte>.Empty).LastUserMessage;

    private static void LogExchange(ILogger logger, HttpContext context, MockRequest request, MockExchange exchange, string outcome, int status, MockReply reply)
    {
        var method = context.Request.Method;
        var path = context.Request.Path.ToString();
        var summary = TextNormalizer.Shorten(request.Summarize(), 160);
        switch (outcome)
        {
            case "matched" or "ambiguous" when exchange.Outcome.Fixture is { } fixture:
                Log.Matched(logger, method, path, summary, fixture.Name, fixture.Source.ToString(), exchange.Turn + 1, status, request.IsStreaming ? " (stream)" : string.Empty);
                if (exchange.Outcome.IsAmbiguous)
                {
                    // Names alone do not tell apart two fixtures with the same name (a copied file): file and line do.
                    Log.Ambiguous(logger, fixture.ToString(), string.Join(", ", exchange.Outcome.Ties.Select(t => t.ToString())));
                }

                break;
            case "echo":
                Log.Echo(logger, method, path, summary);
                break;
            case "recorded":
                Log.Proxied(logger, method, path, summary, status);
                break;
            default:
                Log.Miss(logger, method, path, status, (reply as MockReply.Failure)?.Error.Message ?? summary);
                break;
        }
    }

    private static async Task EmbeddingsAsync(HttpContext context)
    {
        var options = context.RequestServices.GetRequiredService<MockServerOptions>();
        var engine = context.RequestServices.GetRequiredService<MockEngine>();
        var body = await OpenAIRequestReader.ReadAsync(context.Request, OpenAIJsonContext.Default.EmbeddingRequest, options.MaxBodyBytes, context.RequestAborted);
        if ((body.Error ?? EmbeddingRequestValidator.Validate(body.Value!) ?? DeterministicEmbeddings.TooLarge(body.Value!)) is { } invalid)
        {
            await OpenAIResponseWriter.WriteErrorAsync(context.Response, invalid, context.RequestAborted);
            return;
        }

        EmbeddingResponse response;
        try
        {
            response = DeterministicEmbeddings.Respond(body.Value!, engine.Responder.Tokens, context.RequestAborted);
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            return;
        }

        await OpenAIResponseWriter.WriteJsonAsync(context.Response, response, OpenAIJsonContext.Relaxed.EmbeddingResponse, context.RequestAborted);
    }

    private static Task ModelsAsync(HttpContext context)
    {
        var engine = context.RequestServices.GetRequiredService<MockEngine>();
        var models = new ModelList { Data = [.. engine.Models.Select(ToInfo)] };
        return OpenAIResponseWriter.WriteJsonAsync(context.Response, models, OpenAIJsonContext.Relaxed.ModelList, context.RequestAborted);
    }

    private static Task ModelAsync(HttpContext context, string id)
    {
        var engine = context.RequestServices.GetRequiredService<MockEngine>();
        return engine.Models.Contains(id, StringComparer.Ordinal)
            ? OpenAIResponseWriter.WriteJsonAsync(context.Response, ToInfo(id), OpenAIJsonContext.Relaxed.ModelInfo, context.RequestAborted)
            : OpenAIResponseWriter.WriteErrorAsync(context.Response, GatewayError.ModelNotFound(id), context.RequestAborted);
    }

    private static Task HealthAsync(HttpContext context)
    {
        var engine = context.RequestServices.GetRequiredService<MockEngine>();
        var errors = context.RequestServices.GetService<FixtureWatcher>()?.Errors.Select(e => e.ToString()).ToList() ?? [];
        var health = new HealthStatus(errors.Count == 0 ? "ok" : "degraded", engine.Fixtures.Count, engine.Generation, errors);
        return context.Response.WriteAsJsonAsync(health, MockServerJson.Context.HealthStatus, cancellationToken: context.RequestAborted);
    }

    private static ModelInfo ToInfo(string id) => new() { Id = id, OwnedBy = "switchboard-mock" };

    private static partial class Log
    {
        [LoggerMessage(EventId = 20, Level = LogLevel.Information, Message = "{Method} {Path} [{Summary}] -> fixture '{Fixture}' ({Source}), turn {Turn}: {Status}{Stream}")]
        public static partial void Matched(ILogger logger, string method, string path, string summary, string fixture, string source, int turn, int status, string stream);

        [LoggerMessage(EventId = 21, Level = LogLevel.Warning, Message = "{Method} {Path} -> {Status} {Message}")]
        public static partial void Miss(ILogger logger, string method, string path, int status, string message);

        [LoggerMessage(EventId = 22, Level = LogLevel.Warning, Message = "Ambiguous match: {Fixture} won over equally good {Others}; give one a priority")]
        public static partial void Ambiguous(ILogger logger, string fixture, string others);

        [LoggerMessage(EventId = 23, Level = LogLevel.Information, Message = "{Method} {Path} [{Summary}] -> echo model")]
        public static partial void Echo(ILogger logger, string method, string path, string summary);

        [LoggerMessage(EventId = 24, Level = LogLevel.Information, Message = "{Method} {Path} [{Summary}] -> proxied to the upstream and recorded: {Status}")]
        public static partial void Proxied(ILogger logger, string method, string path, string summary, int status);

        [LoggerMessage(EventId = 25, Level = LogLevel.Warning, Message = "{Method} {Path} -> {Status} {Message}")]
        public static partial void Invalid(ILogger logger, string method, string path, int status, string message);
    }
}
