using System.ClientModel;
using System.Text;
using OpenAI.Chat;
using Switchboard.Mock.Testing;

namespace Switchboard.Mock.Tests;

/// <summary>The Rasa CALM demo's collection, unchanged, answering the bot's requests turn by turn over HTTP.</summary>
public sealed class RasaCollectionTests
{
    private static readonly ChatCompletionOptions RasaOptions = new() { MaxOutputTokenCount = 256, Temperature = 0 };

    [Fact]
    public async Task EveryTurnGetsItsOwnSavedResponse()
    {
        await using var mock = await MockLlmServer.StartAsync(b => b.AddFixturesFrom(TestData.RasaCollection), TestContext.Current.CancellationToken);
        var client = TestData.Chat(mock.OpenAIEndpoint);
        var turns = TestData.RasaTurns();
        Assert.Equal(19, turns.Count);

        foreach (var turn in turns)
        {
            ChatCompletion completion = await client.CompleteChatAsync([new UserChatMessage(turn.Prompt)], RasaOptions, TestContext.Current.CancellationToken);
            Assert.Equal(turn.Answer, completion.Content[0].Text);
        }

        mock.Journal.AssertNoMisses();
        Assert.Equal(turns.Select(t => t.Name), mock.Journal.FixtureNames);
    }

    [Fact]
    public async Task EveryTurnStreamsItsSavedResponse()
    {
        await using var mock = await MockLlmServer.StartAsync(b => b.AddFixturesFrom(TestData.RasaCollection), TestContext.Current.CancellationToken);
        var client = TestData.Chat(mock.OpenAIEndpoint);
        foreach (var turn in TestData.RasaTurns())
        {
            var text = new StringBuilder();
            await foreach (var update in client.CompleteChatStreamingAsync([new UserChatMessage(turn.Prompt)], RasaOptions, TestContext.Current.CancellationToken))
            {
                foreach (var part in update.ContentUpdate)
                {
                    text.Append(part.Text);
                }
            }

            Assert.Equal(turn.Answer, text.ToString());
        }

        mock.Journal.AssertNoMisses();
    }

    [Fact]
    public async Task OnlyTheHistoryDecidesNotTheRestOfThePromptOrItsFormatting()
    {
        await using var mock = await MockLlmServer.StartAsync(b => b.AddFixturesFrom(TestData.RasaCollection), TestContext.Current.CancellationToken);
        var client = TestData.Chat(mock.OpenAIEndpoint, "gpt-4o");
        var turn = TestData.RasaTurns().Single(t => t.Name == "start_pizza_order (1 pizza)");
        // Another flow list, extra blank lines and indentation in the history: the same conversation.
        var prompt = turn.Prompt
            .Replace("You are currently not inside any flow.", "You are inside the flow order_pizza.", StringComparison.Ordinal)
            .Replace("USER: 1 please", "\n  USER:   1 please  ", StringComparison.Ordinal);

        ChatCompletion completion = await client.CompleteChatAsync([new UserChatMessage(prompt)], RasaOptions, TestContext.Current.CancellationToken);

        Assert.Equal(turn.Answer, completion.Content[0].Text);
    }

    [Fact]
    public async Task AWrongTurnIsA404NamingTheClosestFixtureAndTheDifference()
    {
        await using var mock = await MockLlmServer.StartAsync(b => b.AddFixturesFrom(TestData.RasaCollection), TestContext.Current.CancellationToken);
        var client = TestData.Chat(mock.OpenAIEndpoint);
        var turn = TestData.RasaTurns().Single(t => t.Name == "start_pizza_order (2 pizzas)");
        var prompt = turn.Prompt.Replace("USER: 2 please", "USER: 3 please", StringComparison.Ordinal);

        var error = await Assert.ThrowsAsync<ClientResultException>(() => client.CompleteChatAsync([new UserChatMessage(prompt)], RasaOptions, TestContext.Current.CancellationToken));

        Assert.Equal(404, error.Status);
        Assert.Contains("start_pizza_order", error.Message, StringComparison.Ordinal);
        Assert.Contains("expected 'USER: 2 please', got 'USER: 3 please'", error.Message, StringComparison.Ordinal);
        var miss = Assert.Single(mock.Journal.Misses);
        Assert.Equal("miss", miss.Outcome);
        Assert.Contains(miss.NearMisses, n => n.FixtureName.StartsWith("start_pizza_order", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ManyClientsAtOnceGetEveryTurnRightWithRequestsOnTheSocketThreads()
    {
        // The standalone mock's default (--inline-io): requests are handled on the socket threads, not the thread pool.
        await using var mock = await MockLlmServer.StartAsync(b => b.AddFixturesFrom(TestData.RasaCollection).Configure(o => o with { InlineScheduling = true }), TestContext.Current.CancellationToken);
        var turns = TestData.RasaTurns();

        var answers = await Task.WhenAll(Enumerable.Range(0, 8).Select(async client =>
        {
            var chat = TestData.Chat(mock.OpenAIEndpoint);
            var got = new List<string>();
            // Each client starts at another turn, so that different turns are in flight together; half of them stream.
            foreach (var turn in turns.Skip(client).Concat(turns.Take(client)))
            {
                if (client % 2 == 0)
                {
                    ChatCompletion completion = await chat.CompleteChatAsync([new UserChatMessage(turn.Prompt)], RasaOptions, TestContext.Current.CancellationToken);
                    got.Add(completion.Content[0].Text);
                    continue;
                }

                var text = new StringBuilder();
                await foreach (var update in chat.CompleteChatStreamingAsync([new UserChatMessage(turn.Prompt)], RasaOptions, TestContext.Current.CancellationToken))
                {
                    foreach (var part in update.ContentUpdate)
                    {
                        text.Append(part.Text);
                    }
                }

                got.Add(text.ToString());
            }

            return (Expected: turns.Skip(client).Concat(turns.Take(client)).Select(t => t.Answer).ToList(), Got: got);
        }));

        Assert.All(answers, a => Assert.Equal(a.Expected, a.Got));
        mock.Journal.AssertNoMisses();
        Assert.Equal(8 * turns.Count, mock.Journal.Entries.Count);
    }
}
