namespace Switchboard.Client.Tests;

/// <summary>The caller's cancellation is the one thing that throws, and it really stops the HTTP call.</summary>
public sealed class CancellationTests : IAsyncLifetime
{
    private FakeUpstream _upstream = null!;
    private readonly TaskCompletionSource _received = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public async ValueTask InitializeAsync() => _upstream = await FakeUpstream.StartAsync(FakeUpstream.NeverAnswer(_received));

    public async ValueTask DisposeAsync() => await _upstream.DisposeAsync();

    private LlmClient Client() => LlmClient.Create(new LlmClientOptions { BaseUrl = new Uri(_upstream.BaseUrl + "/v1"), Model = "m" });

    [Fact]
    public async Task CancellingACallThrowsAndAbortsTheRequest()
    {
        using var llm = Client();
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);

        var call = llm.CompleteAsync("hi", cancellationToken: cancel.Token);
        await _received.Task.WaitAsync(TestContext.Current.CancellationToken);
        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call);
        await _upstream.RequestAborted.Task.WaitAsync(TestContext.Current.CancellationToken);
    }

    [Fact]
    public async Task CancellingASynchronousCallThrows()
    {
        using var llm = Client();
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);

        var call = Task.Run(() => llm.Complete("hi", cancellationToken: cancel.Token), TestContext.Current.CancellationToken);
        await _received.Task.WaitAsync(TestContext.Current.CancellationToken);
        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call);
    }

    [Fact]
    public async Task CancellingAStreamThrowsFromTheEnumeration()
    {
        var firstChunk = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _upstream.Handler = FakeUpstream.WriteThenHold(async context =>
        {
            context.Response.ContentType = "text/event-stream";
            await context.Response.WriteEventAsync(OpenAIUpstreamResponses.Chunk("m", "Hel", role: true));
            firstChunk.TrySetResult();
        });
        using var llm = Client();
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);

        await using var updates = llm.StreamAsync("hi", cancellationToken: cancel.Token).GetAsyncEnumerator(cancel.Token);
        Assert.True(await updates.MoveNextAsync());
        Assert.Equal("Hel", updates.Current.Text);
        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await updates.MoveNextAsync());
        await _upstream.RequestAborted.Task.WaitAsync(TestContext.Current.CancellationToken);
    }

    [Fact]
    public async Task AnAlreadyCancelledTokenThrowsBeforeSending()
    {
        using var llm = Client();
        using var cancel = new CancellationTokenSource();
        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => llm.CompleteAsync("hi", cancellationToken: cancel.Token));
        Assert.ThrowsAny<OperationCanceledException>(() => llm.Complete("hi", cancellationToken: cancel.Token));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            await foreach (var _ in llm.StreamAsync("hi", cancellationToken: cancel.Token))
            {
            }
        });
        Assert.Empty(_upstream.Requests);
    }
}
