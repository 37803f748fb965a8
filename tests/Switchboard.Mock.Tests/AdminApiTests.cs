using System.ClientModel;
using System.Net;
using System.Text;
using System.Text.Json;
using OpenAI.Chat;
using Switchboard.Mock.Testing;

namespace Switchboard.Mock.Tests;

/// <summary>/__admin: fixtures over HTTP in the file format, the journal, reset; and strict mode.</summary>
public sealed class AdminApiTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task FixturesCanBeAddedListedExportedAndDeletedOverHttp()
    {
        await using var mock = await MockLlmServer.StartAsync(b => b.AddFixture("from code", f => f.WhenLastUser("code").RespondWith("from code")), Ct);
        using var http = mock.CreateClient();

        using var added = await http.PostAsync("/__admin/fixtures", new StringContent("name: from http\nmatch: { last_user: admin }\nresponse: added over HTTP\n", Encoding.UTF8, "application/yaml"), Ct);
        Assert.Equal(HttpStatusCode.Created, added.StatusCode);
        Assert.Equal("added over HTTP", await Ask(mock, "admin"));

        using var list = JsonDocument.Parse(await http.GetStringAsync("/__admin/fixtures", Ct));
        Assert.Equal(2, list.RootElement.GetProperty("count").GetInt32());
        var fixtures = list.RootElement.GetProperty("fixtures").EnumerateArray().ToList();
        Assert.Equal(["from code", "from http"], fixtures.Select(f => f.GetProperty("id").GetString()));
        Assert.Equal("admin", fixtures[1].GetProperty("source").GetString());
        Assert.Equal("last user message equals 'admin'", fixtures[1].GetProperty("match")[0].GetString());

        var yaml = await http.GetStringAsync("/__admin/fixtures/from%20http?format=yaml", Ct);
        Assert.Contains("last_user: \"admin\"", yaml, StringComparison.Ordinal);

        // JSON in the same shape works too.
        using var json = await http.PostAsync("/__admin/fixtures", new StringContent("""{"name":"json one","match":{"last_user":{"contains":"json"}},"response":{"content":"from JSON"}}""", Encoding.UTF8, "application/json"), Ct);
        Assert.Equal(HttpStatusCode.Created, json.StatusCode);
        Assert.Equal("from JSON", await Ask(mock, "some json please"));

        using var deleted = await http.DeleteAsync("/__admin/fixtures/from%20http", Ct);
        Assert.Equal(HttpStatusCode.OK, deleted.StatusCode);
        Assert.Equal(404, (await Assert.ThrowsAsync<ClientResultException>(() => Ask(mock, "admin"))).Status);

        using var missing = await http.DeleteAsync("/__admin/fixtures/nope", Ct);
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);

        using var cleared = await http.DeleteAsync("/__admin/fixtures", Ct);
        Assert.Equal(HttpStatusCode.OK, cleared.StatusCode);
        Assert.Equal(["from code"], mock.Engine.Fixtures.Fixtures.Select(f => f.Id));
    }

    [Fact]
    public async Task ABadFixtureOverHttpIsA400NamingTheLine()
    {
        await using var mock = await MockLlmServer.StartAsync(b => b.AddFixture("x", f => f.RespondWith("x")), Ct);
        using var http = mock.CreateClient();
        using var response = await http.PostAsync("/__admin/fixtures", new StringContent("name: bad\nmatch:\n  last_user: { regex: '(' }\nresponse: x\n", Encoding.UTF8, "application/yaml"), Ct);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var body = await response.Content.ReadAsStringAsync(Ct);
        Assert.Contains("admin:3:", body, StringComparison.Ordinal);
        Assert.Contains("invalid regular expression", body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TheJournalShowsMatchesAndNearMissesAndResetClearsIt()
    {
        await using var mock = await MockLlmServer.StartAsync(b => b
            .AddFixture("hello", f => f.WhenLastUser("hello").RespondWith("hi"))
            .AddFixture("steps", f => f.WhenLastUser("step").RespondWith("one").RespondWith("two")), Ct);
        await Ask(mock, "hello");
        await Ask(mock, "step");
        await Assert.ThrowsAsync<ClientResultException>(() => Ask(mock, "helo"));
        using var http = mock.CreateClient();

        using var journal = JsonDocument.Parse(await http.GetStringAsync("/__admin/requests", Ct));
        var entries = journal.RootElement.EnumerateArray().ToList();
        Assert.Equal(["matched", "matched", "miss"], entries.Select(e => e.GetProperty("outcome").GetString()));
        Assert.Equal("hello", entries[0].GetProperty("fixture_id").GetString());
        var nearMiss = entries[2].GetProperty("near_misses")[0];
        Assert.Equal("hello", nearMiss.GetProperty("fixture_id").GetString());
        Assert.Contains("last user message is 'helo', expected it equals 'hello'", nearMiss.GetProperty("differences")[0].GetString(), StringComparison.Ordinal);
        Assert.Equal("helo", entries[2].GetProperty("body").GetProperty("messages")[0].GetProperty("content").GetString());

        using var misses = JsonDocument.Parse(await http.GetStringAsync("/__admin/requests?outcome=miss", Ct));
        Assert.Single(misses.RootElement.EnumerateArray());

        using var reset = await http.PostAsync("/__admin/reset", null, Ct);
        Assert.Equal(HttpStatusCode.OK, reset.StatusCode);
        Assert.Empty(mock.Journal.Entries);
        Assert.Equal("one", await Ask(mock, "step")); // the sequence starts again
    }

    [Fact]
    public async Task StrictModeRejectsAnAmbiguousMatchAndLenientModeTakesTheFirst()
    {
        const string yaml = """
            - name: first
              match: { last_user: same }
              response: from first
            - name: second
              match: { last_user: same }
              response: from second
            - name: preferred
              priority: 1
              match: { last_user: other }
              response: preferred
            - name: fallback
              match: { last_user: other }
              response: fallback
            """;
        await using (var lenient = await MockLlmServer.StartAsync(b => b.AddYaml(yaml), Ct))
        {
            Assert.Equal("from first", await Ask(lenient, "same"));
            var entry = lenient.Journal.Entries[^1];
            Assert.Equal("ambiguous", entry.Outcome);
            Assert.Equal(["second"], entry.Ties);
        }

        await using var strict = await MockLlmServer.StartAsync(b => b.AddYaml(yaml).Strict(), Ct);
        var error = await Assert.ThrowsAsync<ClientResultException>(() => Ask(strict, "same"));
        Assert.Equal(409, error.Status);
        Assert.Contains("'first'", error.Message, StringComparison.Ordinal);
        Assert.Contains("'second'", error.Message, StringComparison.Ordinal);
        // An explicit priority is not ambiguous.
        Assert.Equal("preferred", await Ask(strict, "other"));
    }

    [Fact]
    public async Task HealthAndModels()
    {
        await using var mock = await MockLlmServer.StartAsync(b => b.AddFixture("m", f => f.WhenModel("my-model").RespondWith("x")), Ct);
        using var http = mock.CreateClient();
        using var health = JsonDocument.Parse(await http.GetStringAsync("/health", Ct));
        Assert.Equal("ok", health.RootElement.GetProperty("status").GetString());
        Assert.Equal(1, health.RootElement.GetProperty("fixtures").GetInt32());
        var model = await TestData.Client(mock.OpenAIEndpoint).GetOpenAIModelClient().GetModelAsync("my-model", Ct);
        Assert.Equal("my-model", model.Value.Id);
        using var unknown = await http.GetAsync("/v1/models/nope", Ct);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
    }

    private static Task<string> Ask(MockLlmServer mock, string user) => TestData.AskAsync(mock, user, Ct);
}
