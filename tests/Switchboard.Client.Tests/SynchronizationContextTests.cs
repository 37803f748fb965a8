using Microsoft.Extensions.AI;
using Switchboard.Client.Tests.Infrastructure;

namespace Switchboard.Client.Tests;

/// <summary>The synchronous methods do not deadlock on a thread that owns a single-threaded synchronization context (a UI thread).</summary>
public sealed class SynchronizationContextTests
{
    /// <summary>Far longer than a call to the local mock takes: reaching it means the call deadlocked.</summary>
    private static readonly TimeSpan DeadlockLimit = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task CompleteOnAUiThreadDoesNotDeadlock()
    {
        await using var mock = await MockLlm.StartAsync();
        using var inner = new global::OpenAI.OpenAIClient(new System.ClientModel.ApiKeyCredential("sk-test"), new global::OpenAI.OpenAIClientOptions { Endpoint = mock.OpenAIEndpoint })
            .GetChatClient(MockLlm.Model).AsIChatClient();

        // Middleware written as application code often is: plain awaits that resume on the captured context.
        using var capturing = new ContextCapturingChatClient(inner);
        using var llm = new LlmClient(capturing);

        var (prompt, messages, context) = await SingleThreadedSynchronizationContext.RunAsync(() =>
        {
            var fromPrompt = llm.Complete("Say hello");
            var fromMessages = llm.Complete([new ChatMessage(ChatRole.User, "And in French?")]);
            return (fromPrompt, fromMessages, SynchronizationContext.Current);
        }).WaitAsync(DeadlockLimit, TestContext.Current.CancellationToken);

        Assert.IsType<SingleThreadedSynchronizationContext>(context);
        Assert.True(prompt.Success, prompt.Error);
        Assert.Equal("Hello there!", prompt.Content);
        Assert.True(messages.Success, messages.Error);
        Assert.Equal("Bonjour !", messages.Content);
        Assert.Equal(2, capturing.Calls);
    }

    private sealed class ContextCapturingChatClient(IChatClient inner) : DelegatingChatClient(inner)
    {
        public int Calls { get; private set; }

        public override async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
        {
            Calls++;
#pragma warning disable CA2007 // On purpose: this continuation wants the caller's synchronization context.
            await Task.Yield();
            return await base.GetResponseAsync(messages, options, cancellationToken);
#pragma warning restore CA2007
        }
    }
}
