using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Switchboard.Errors;
using Switchboard.Mock.Fixtures;
using Switchboard.Mock.Loading;
using Switchboard.Mock.Matching;
using Switchboard.Mock.Recording;
using Switchboard.Mock.Replies;
using Switchboard.OpenAI;

namespace Switchboard.Mock.Server.Recording;

/// <summary>
/// Record mode: a request no fixture answers goes to the upstream API; a successful answer is written as a
/// YAML fixture (matching the conversation as the Postman import would: its history block, else all its
/// messages) and answers the client, streamed if it asked. The configured upstream key is sent, else the client's
/// <c>Authorization</c>; neither is ever written.
/// </summary>
/// <remarks>
/// The upstream's time limit (<see cref="MockServerOptions.UpstreamTimeout"/>) runs on the server's
/// <see cref="TimeProvider"/>, not on <see cref="HttpClient.Timeout"/>, so tests decide when it expires.
/// </remarks>
internal sealed partial class RecordingProxy(MockServerOptions options, MockEngine engine, HttpClient client, TimeProvider time, ILogger<RecordingProxy> logger)
{
    private static readonly string[] ForwardedHeaders = ["OpenAI-Organization", "OpenAI-Project"];

    private readonly string _folder = Path.GetFullPath(options.RecordTo!);
    private readonly Uri _endpoint = new(options.Upstream!.TrimEnd('/') + "/chat/completions");

    /// <summary>Set when the recorded folder is also watched: recorded files are then loaded by a reload.</summary>
    public FixtureWatcher? Watcher { get; set; }

    public async Task<MockReply> ForwardAsync(MockRequest request, HttpRequest incoming, CancellationToken cancellationToken)
    {
        var upstreamRequest = request.Request with { Stream = null, StreamOptions = null };
        using var message = new HttpRequestMessage(HttpMethod.Post, _endpoint)
        {
            Content = new ByteArrayContent(JsonSerializer.SerializeToUtf8Bytes(upstreamRequest, OpenAIJsonContext.Default.ChatCompletionRequest))
            {
                Headers = { ContentType = new MediaTypeHeaderValue("application/json") },
            },
        };
        // The configured key wins: every SDK sends some key (often a placeholder meant for the mock), so the
        // client's Authorization is forwarded only when no key is configured.
        if (options.UpstreamApiKey is { Length: > 0 } key)
        {
            message.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        }
        else if (incoming.Headers.Authorization.ToString() is { Length: > 0 } authorization)
        {
            message.Headers.TryAddWithoutValidation("Authorization", authorization);
        }

        foreach (var name in ForwardedHeaders)
        {
            if (incoming.Headers.TryGetValue(name, out var value))
            {
                message.Headers.TryAddWithoutValidation(name, value.ToString());
            }
        }

        int status;
        byte[] body;
        using var limit = new CancellationTokenSource(options.UpstreamTimeout, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, limit.Token);
        try
        {
            using var response = await client.SendAsync(message, linked.Token);
            status = (int)response.StatusCode;
            body = await response.Content.ReadAsByteArrayAsync(linked.Token);
        }
        catch (Exception ex) when (TransportError(ex, cancellationToken) is { } error)
        {
            Log.UpstreamFailed(logger, _endpoint, error.StatusCode, ex.Message);
            return new MockReply.Failure(error);
        }

        if (status is < 200 or > 299)
        {
            return new MockReply.Failure(UpstreamError(status, body));
        }

        ChatCompletionResponse? completion;
        try
        {
            completion = JsonSerializer.Deserialize(body, OpenAIJsonContext.Default.ChatCompletionResponse);
        }
        catch (JsonException)
        {
            completion = null;
        }

        if (completion is null || completion.Choices.Count == 0)
        {
            return new MockReply.Failure(GatewayError.BadGateway("Record mode: the upstream answer is not a chat completion; nothing was recorded."));
        }

        var path = await SaveAsync(request, completion, cancellationToken);
        Log.Recorded(logger, path);
        return request.IsStreaming
            ? new MockReply.Stream(engine.Responder.StreamAsync(completion, new FixtureResponse(), request.Request.WantsStreamUsage, CancellationToken.None))
            : new MockReply.Completion(completion);
    }

    private async Task<string> SaveAsync(MockRequest request, ChatCompletionResponse completion, CancellationToken cancellationToken)
    {
        var fixture = ToFixture(request, completion);
        Directory.CreateDirectory(_folder);
        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(request.HistoryKey ?? request.ConversationKey)))[..12];
        var path = Path.Combine(_folder, $"recorded-{Slug(request.LastUserMessage)}-{hash}.yaml");
        var yaml = "# Recorded by switchboard mock from " + options.Upstream + "\n" + FixtureYamlWriter.Write([fixture]);
        var temporary = path + ".tmp";
        await File.WriteAllTextAsync(temporary, yaml, cancellationToken);
        File.Move(temporary, path, overwrite: true);
        if (Watcher is not null && options.FixturesPath is { } watched && IsUnder(path, Path.GetFullPath(watched)))
        {
            Watcher.Reload(force: true);
        }
        else
        {
            engine.Add(FixtureLoader.LoadFile(path));
        }

        return path;
    }

    private static Fixture ToFixture(MockRequest request, ChatCompletionResponse completion)
    {
        IRequestMatcher matcher = request.History is { } history
            ? new HistoryMatcher(history)
            : new ConversationMatcher([.. request.Messages.Select(m => new MessagePattern(m.Role, TextPattern.EqualTo(m.Text)))]);
        var message = completion.Choices[0].Message;
        var name = "recorded: " + Mock.Text.TextNormalizer.Shorten(request.LastUserMessage, 40);
        return new Fixture
        {
            Id = name,
            Name = name,
            Matchers = [matcher],
            Responses =
            [
                new FixtureResponse
                {
                    Content = message.Content?.Text,
                    ToolCalls = [.. (message.ToolCalls ?? []).Select(c => new FixtureToolCall(c.Function?.Name ?? string.Empty, c.Function?.Arguments ?? "{}"))],
                    Model = completion.Model,
                    FinishReason = completion.Choices[0].FinishReason,
                },
            ],
        };
    }

    /// <summary>
    /// The error of a call that got no answer: the client's timeout is a 504, a transport failure (refused,
    /// reset, DNS, TLS, a connection dropped mid-answer) a 502. Null for the client going away, which is no error to answer.
    /// </summary>
    private GatewayError? TransportError(Exception exception, CancellationToken cancellationToken) => exception switch
    {
        OperationCanceledException when cancellationToken.IsCancellationRequested => null,
        OperationCanceledException => GatewayError.GatewayTimeout($"Record mode: the upstream {_endpoint} did not answer within {options.UpstreamTimeout.TotalSeconds:0.###} s; nothing was recorded."),
        HttpRequestException or IOException => GatewayError.BadGateway($"Record mode: the upstream {_endpoint} could not be reached or broke off its answer; nothing was recorded.", ErrorCodes.UpstreamUnavailable),
        _ => null,
    };

    private static GatewayError UpstreamError(int status, byte[] body)
    {
        try
        {
            var error = JsonSerializer.Deserialize(body, OpenAIJsonContext.Default.ErrorResponse)?.Error;
            if (error is not null)
            {
                return new GatewayError { StatusCode = status, Type = error.Type, Message = error.Message, Code = error.Code, Param = error.Param };
            }
        }
        catch (JsonException)
        {
            // Not an OpenAI error object; describe it below.
        }

        return new GatewayError
        {
            StatusCode = status,
            Type = status >= 500 ? ErrorTypes.Upstream : ErrorTypes.InvalidRequest,
            Message = $"Record mode: the upstream answered {status}; nothing was recorded.",
            Code = ErrorCodes.UpstreamError,
        };
    }

    private static bool IsUnder(string path, string folder) =>
        Directory.Exists(folder) && path.StartsWith(folder.TrimEnd(Path.DirectorySeparatorChar) + Path.DirectorySeparatorChar, StringComparison.Ordinal);

    private static string Slug(string text)
    {
        var builder = new StringBuilder();
        foreach (var c in text)
        {
            if (char.IsAsciiLetterOrDigit(c))
            {
                builder.Append(char.ToLowerInvariant(c));
            }
            else if (builder.Length > 0 && builder[^1] != '-')
            {
                builder.Append('-');
            }

            if (builder.Length >= 32)
            {
                break;
            }
        }

        var slug = builder.ToString().Trim('-');
        return slug.Length == 0 ? "request" : slug;
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 30, Level = LogLevel.Information, Message = "Recorded a fixture to {Path}")]
        public static partial void Recorded(ILogger logger, string path);

        [LoggerMessage(EventId = 31, Level = LogLevel.Warning, Message = "Record mode: the call to {Endpoint} failed, answering {Status}: {Reason}")]
        public static partial void UpstreamFailed(ILogger logger, Uri endpoint, int status, string reason);
    }
}
