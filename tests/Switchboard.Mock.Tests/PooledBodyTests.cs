using System.Text;
using System.Text.Json;
using Switchboard.Mock.Testing;

namespace Switchboard.Mock.Tests;

/// <summary>
/// The chat endpoint reads bodies of up to 128 KiB into pooled arrays that later requests reuse: requests in parallel
/// must each be answered and journalled with their own bytes, whatever size and however they arrive.
/// </summary>
public sealed class PooledBodyTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task ParallelRasaTurnsAreEachAnsweredAndJournalledWithTheirOwnBody()
    {
        await using var mock = await MockLlmServer.StartAsync(b => b.AddFixturesFrom(TestData.RasaCollection), Ct);
        using var http = mock.CreateClient();
        var turns = RasaTurns();
        var byBody = turns.ToDictionary(t => t.Body, t => t, StringComparer.Ordinal);

        // 16 clients, each sending every turn in its own order.
        await Parallel.ForEachAsync(Enumerable.Range(0, 16), new ParallelOptions { MaxDegreeOfParallelism = 16, CancellationToken = Ct }, async (client, token) =>
        {
            foreach (var turn in turns.OrderBy(t => (t.Name.GetHashCode(StringComparison.Ordinal) * 31) ^ client))
            {
                using var response = await http.PostAsync("/v1/chat/completions", new StringContent(turn.Body, Encoding.UTF8, "application/json"), token);
                using var answer = JsonDocument.Parse(await response.Content.ReadAsStringAsync(token));
                Assert.Equal(turn.Answer, answer.RootElement.GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString());
            }
        });

        var entries = mock.Journal.Entries;
        Assert.Equal(16 * turns.Count, entries.Count);
        Assert.All(entries, entry => Assert.Equal(byBody[entry.Body!.Value.GetRawText()].Name, entry.FixtureName));
        mock.Journal.AssertNoMisses();
    }

    [Theory]
    [InlineData(100 * 1024)]
    [InlineData(200 * 1024)]
    public async Task ALargeBodyIsReadWholeAndJournalledAsSent(int size)
    {
        await using var mock = await MockLlmServer.StartAsync(b => b.AddFixture("hi", f => f.WhenLastUser("hi").RespondWith("hello")), Ct);
        using var http = mock.CreateClient();
        var large = "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"" + new string('x', size) + "\"}]}";

        // A large body between small ones, twice: arrays taken from the pool and given back in between.
        foreach (var body in new[] { Small("hi"), large, Small("hi"), large })
        {
            using var response = await http.PostAsync("/v1/chat/completions", new StringContent(body, Encoding.UTF8, "application/json"), Ct);
            Assert.Equal(body == large ? 404 : 200, (int)response.StatusCode);
        }

        var entries = mock.Journal.Entries;
        Assert.Equal([false, true, false, true], entries.Select(e => e.BodyBytes > 1000));
        Assert.All(entries.Where(e => e.BodyBytes > 1000), e => Assert.Equal(large, e.Body!.Value.GetRawText()));
        Assert.All(entries.Where(e => e.BodyBytes < 1000), e => Assert.Equal("hi", e.LastUserMessage));
    }

    private static string Small(string text) => "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"" + text + "\"}]}";

    private static List<(string Name, string Body, string Answer)> RasaTurns()
    {
        var answers = TestData.RasaTurns().ToDictionary(t => t.Name, t => t.Answer, StringComparer.Ordinal);
        using var collection = JsonDocument.Parse(File.ReadAllText(TestData.RasaCollection));
        return [.. collection.RootElement.GetProperty("item").EnumerateArray().Select(item =>
        {
            var name = item.GetProperty("response")[0].GetProperty("name").GetString()!;
            // As the journal gives it back: the body's JSON text, re-read.
            using var body = JsonDocument.Parse(item.GetProperty("request").GetProperty("body").GetProperty("raw").GetString()!);
            return (name, body.RootElement.GetRawText(), answers[name]);
        })];
    }
}
