using System.ClientModel;
using System.Net;
using System.Text;
using OpenAI.Chat;
using Switchboard.Mock.Loading;
using Switchboard.Mock.Testing;

namespace Switchboard.Mock.Tests;

/// <summary>Postman v2.1 edge cases: folders, string requests and URLs, variables, several saved responses.</summary>
public sealed class PostmanImportTests
{
    private const string Collection = """
        {
          "info": { "name": "edge cases", "schema": "https://schema.getpostman.com/json/collection/v2.1.0/collection.json" },
          "variable": [
            { "key": "base", "value": "http://localhost:8080" },
            { "key": "greeting", "value": "Hello there" },
            { "key": "model", "value": "gpt-4o" }
          ],
          "item": [
            {
              "name": "Folder A",
              "item": [
                {
                  "name": "Nested",
                  "item": [
                    {
                      "name": "greet",
                      "request": {
                        "method": "POST",
                        "url": "{{base}}/v1/chat/completions",
                        "body": { "mode": "raw", "raw": "{\n  \"model\": \"{{model}}\",\n  \"messages\": [ {\"role\": \"system\", \"content\": \"Be   brief\"}, {\"role\": \"user\", \"content\": \"{{greeting}} \\u00e9l\\u00e8ve \\\"quoted\\\"\"} ]\n}" }
                      },
                      "response": [
                        { "name": "greet ok", "code": 200, "header": [ { "key": "x-fixture", "value": "greet" }, { "key": "Content-Encoding", "value": "br" } ],
                          "body": "{\"choices\":[{\"message\":{\"role\":\"assistant\",\"content\":\"General Kenobi\"}}]}" }
                      ]
                    }
                  ]
                }
              ]
            },
            { "name": "string request", "request": "{{base}}/v1/chat/completions", "response": [ { "name": "fallback", "code": 200, "body": "plain text answer" } ] },
            {
              "name": "two examples",
              "request": {
                "method": "POST",
                "url": { "raw": "{{base}}/v1/chat/completions", "host": [ "{{base}}" ], "path": [ "v1", "chat", "completions" ] },
                "body": { "mode": "raw", "raw": "{\"model\":\"gpt-4o\",\"messages\":[{\"role\":\"user\",\"content\":\"pick one\"}]}" }
              },
              "response": [
                { "name": "first", "code": 200, "body": "{\"content\": \"the first\"}" },
                { "name": "limited", "code": 429, "body": "{\"error\": {\"message\": \"too many\", \"type\": \"requests\"}}" }
              ]
            },
            { "name": "embeddings are not chat", "request": { "method": "POST", "url": "{{base}}/v1/embeddings", "body": { "mode": "raw", "raw": "{}" } }, "response": [ { "code": 200, "body": "{}" } ] }
          ]
        }
        """;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task FoldersVariablesStringUrlsAndSavedExamples()
    {
        await using var mock = await StartWithCollection();
        Assert.Equal(["greet ok", "fallback", "first", "limited [2]"], mock.Engine.Fixtures.Fixtures.Select(f => f.Name));

        // Re-serialized by the SDK: other key order, no extra spaces, escapes resolved; system prompt spacing differs.
        var client = TestData.Chat(mock.OpenAIEndpoint, "gpt-4o");
        var greet = await client.CompleteChatAsync([new SystemChatMessage("Be brief"), new UserChatMessage("Hello there élève \"quoted\"")], cancellationToken: Ct);
        Assert.Equal("General Kenobi", greet.Value.Content[0].Text);
        Assert.Equal("greet", greet.GetRawResponse().Headers.TryGetValue("x-fixture", out var header) ? header : null);

        var fallback = await client.CompleteChatAsync([new UserChatMessage("anything else")], cancellationToken: Ct);
        Assert.Equal("plain text answer", fallback.Value.Content[0].Text);

        var first = await client.CompleteChatAsync([new UserChatMessage("pick one")], cancellationToken: Ct);
        Assert.Equal("the first", first.Value.Content[0].Text);
    }

    [Fact]
    public async Task ASavedExampleIsPickedByXMockResponseName()
    {
        await using var mock = await StartWithCollection();
        using var http = mock.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions")
        {
            Content = new StringContent("""{"model":"gpt-4o","messages":[{"role":"user","content":"pick one"}]}""", Encoding.UTF8, "application/json"),
            Headers = { { "x-mock-response-name", "limited" } },
        };

        using var response = await http.SendAsync(request, Ct);

        Assert.Equal(HttpStatusCode.TooManyRequests, response.StatusCode);
        Assert.Contains("too many", await response.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
    }

    [Fact]
    public void ABrokenItemNamesTheFileAndTheLineOfTheItem()
    {
        var broken = Collection.Replace("{\\\"model\\\":\\\"gpt-4o\\\",\\\"messages\\\"", "{\\\"model\\\" \\\"gpt-4o\\\",\\\"messages\\\"", StringComparison.Ordinal);
        var error = Assert.Throws<FixtureLoadException>(() => FixtureLoader.Parse(broken, "edge.json", FixtureFormat.Json));
        var expectedLine = broken.Split('\n').ToList().FindIndex(l => l.Contains("\"two examples\"", StringComparison.Ordinal));
        Assert.Equal("edge.json", error.Error.File);
        Assert.Equal(expectedLine, error.Error.Line); // the line of the item's opening brace, just above its name
        Assert.Contains("item 'two examples': body.raw is not valid JSON", error.Error.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void InvalidJsonNamesTheLine()
    {
        var error = Assert.Throws<FixtureLoadException>(() => FixtureLoader.Parse("{\n  \"item\": [\n    { \"name\": \"x\", }\n    oops\n  ]\n}", "bad.json", FixtureFormat.Json));
        Assert.Equal(4, error.Error.Line);
        Assert.StartsWith("bad.json:4: not valid JSON", error.Error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task TheModelsOfACollectionAreListed()
    {
        await using var mock = await MockLlmServer.StartAsync(b => b.AddFixturesFrom(TestData.RasaCollection), Ct);
        var models = await TestData.Client(mock.OpenAIEndpoint).GetOpenAIModelClient().GetModelsAsync(Ct);
        Assert.Equal(["gpt-4", "gpt-4-0613"], models.Value.Select(m => m.Id));
    }

    [Fact]
    public async Task AClientErrorIsA4xxNeverA500()
    {
        await using var mock = await MockLlmServer.StartAsync(b => b.AddFixturesFrom(TestData.RasaCollection), Ct);
        using var http = mock.CreateClient();
        foreach (var body in new[] { "{not json", "{}", """{"model":"gpt-4","messages":[{"role":"wizard","content":"x"}]}""", """{"model":"gpt-4","messages":"hello"}""" })
        {
            using var response = await http.PostAsync("/v1/chat/completions", new StringContent(body, Encoding.UTF8, "application/json"), Ct);
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.Contains("\"error\"", await response.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
        }

        using var unknown = await http.GetAsync("/v1/nothing-here", Ct);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Contains("\"error\"", await unknown.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
    }

    private static async Task<MockLlmServer> StartWithCollection()
    {
        var path = Path.Combine(TestData.TempFolder(), "edge.postman_collection.json");
        await File.WriteAllTextAsync(path, Collection, Ct);
        return await MockLlmServer.StartAsync(b => b.AddFixturesFrom(path), Ct);
    }
}
