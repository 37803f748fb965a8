using Switchboard.Errors;
using Switchboard.OpenAI;
using Switchboard.Pipeline;

namespace Switchboard.Gateway.Tests.Infrastructure;

/// <summary>A hand-written provider for router tests: answers with whatever <see cref="Reply"/> says and counts calls.</summary>
public sealed class ScriptedProvider(string name, string type = "scripted", ProviderTraits traits = ProviderTraits.None) : IChatProvider
{
    private int _calls;

    public string Name => name;

    public string Type => type;

    public ProviderTraits Traits => traits;

    public int Calls => Volatile.Read(ref _calls);

    /// <summary>The answer to each chat call; a completion by default.</summary>
    public Func<CancellationToken, ValueTask<ChatResult>> Reply { get; set; } = _ => ValueTask.FromResult(Ok());

    public ValueTask<ChatResult> ChatAsync(ChatCompletionRequest request, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _calls);
        return Reply(cancellationToken);
    }

    public ValueTask<EmbeddingResult> EmbedAsync(EmbeddingRequest request, CancellationToken cancellationToken) =>
        throw new NotSupportedException();

    public ValueTask<ProviderHealth> CheckHealthAsync(CancellationToken cancellationToken) => ValueTask.FromResult(ProviderHealth.Healthy);

    public void AnswersWith(int status) => Reply = _ => ValueTask.FromResult(status == 200 ? Ok() : Error(status));

    public static ChatResult Ok() => new ChatResult.Completed(new ChatCompletionResponse { Id = "chatcmpl-1", Model = "m" });

    public static ChatResult Error(int status) => ChatResult.From(new GatewayError
    {
        StatusCode = status,
        Type = status < 500 ? ErrorTypes.InvalidRequest : ErrorTypes.Upstream,
        Message = $"upstream said {status}",
    });
}
