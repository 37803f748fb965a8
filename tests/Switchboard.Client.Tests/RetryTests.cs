using Microsoft.Extensions.DependencyInjection;
using Switchboard.Client.Tests.Infrastructure;

namespace Switchboard.Client.Tests;

/// <summary>Optional retries (Microsoft.Extensions.Http.Resilience) that wait as long as the server's retry-after says.</summary>
public sealed class RetryTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task RetryAfterIsHonouredByClientsFromDependencyInjection()
    {
        await using var mock = await MockLlm.StartAsync();
        var time = new RecordingTimeProvider();
        var services = new ServiceCollection()
            .AddSingleton<TimeProvider>(time)
            .AddLlmClient(o =>
            {
                o.BaseUrl = mock.OpenAIEndpoint;
                o.Model = MockLlm.Model;
                o.MaxRetries = 2;
                o.Timeout = TimeSpan.FromMinutes(10);
            });
        await using var provider = services.BuildServiceProvider();
        var llm = provider.GetRequiredService<LlmClient>();

        var answer = await llm.CompleteAsync("try again", cancellationToken: Ct);

        Assert.True(answer.Success, answer.Error);
        Assert.Equal("Worked the second time.", answer.Content);
        Assert.Equal(2, mock.Journal.Entries.Count);
        Assert.Equal([TimeSpan.FromSeconds(3)], time.Waits);
    }

    [Fact]
    public async Task RetryAfterIsHonouredByClientsFromCreate()
    {
        await using var mock = await MockLlm.StartAsync();
        var time = new RecordingTimeProvider();
        await using var services = new ServiceCollection().AddSingleton<TimeProvider>(time).BuildServiceProvider();
        var options = MockLlm.Options(mock);
        options.MaxRetries = 1;
        options.Timeout = TimeSpan.FromMinutes(10);
        using var llm = LlmClient.Create(options, services);

        var answer = await llm.CompleteAsync("try again", cancellationToken: Ct);

        Assert.True(answer.Success, answer.Error);
        Assert.Equal(2, mock.Journal.Entries.Count);
        Assert.Equal([TimeSpan.FromSeconds(3)], time.Waits);
    }

    [Fact]
    public async Task WithoutRetriesTheFirstFailureIsTheAnswer()
    {
        await using var mock = await MockLlm.StartAsync();
        using var llm = MockLlm.Client(mock);

        var answer = await llm.CompleteAsync("try again", cancellationToken: Ct);

        ErrorValueTests.AssertFailed(answer, LlmErrorKind.RateLimited);
        Assert.Equal(TimeSpan.FromSeconds(3), answer.RetryAfter);
        Assert.Single(mock.Journal.Entries);
    }

    [Fact]
    public async Task RetriesThatRunOutEndWithTheLastFailure()
    {
        await using var mock = await MockLlm.StartAsync();
        var time = new RecordingTimeProvider();
        await using var services = new ServiceCollection().AddSingleton<TimeProvider>(time).BuildServiceProvider();
        var options = MockLlm.Options(mock);
        options.MaxRetries = 2;
        options.Timeout = TimeSpan.FromMinutes(10);
        using var llm = LlmClient.Create(options, services);

        var answer = await llm.CompleteAsync("fail please", cancellationToken: Ct);

        ErrorValueTests.AssertFailed(answer, LlmErrorKind.ServerError);
        Assert.Contains("The model is overloaded", answer.Error, StringComparison.Ordinal);
        Assert.Equal(3, mock.Journal.Entries.Count);
        Assert.Equal(2, time.Waits.Count);
    }
}
