using System.Net;
using System.Text;
using Switchboard.Mock.Loading;
using Switchboard.Mock.Testing;

namespace Switchboard.Mock.Tests;

/// <summary>
/// Hostile fixture files, admin requests and bodies (issue 16): each is refused or bounded, none takes the mock
/// down, answers 500 or makes it hold gigabytes.
/// </summary>
public sealed class HardeningTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static StringContent Yaml(string yaml) => new(yaml, Encoding.UTF8, "application/yaml");

    [Theory]
    [InlineData("x-trace: \"a\\r\\nSet-Cookie: evil=1\"")]
    [InlineData("x-trace: \"tab\\u0000nul\"")]
    [InlineData("\"bad name\": x")]
    [InlineData("content-length: \"5\"")]
    [InlineData("x-accent: \"caf\u00e9\"")]
    public void A_header_the_server_cannot_send_is_refused_at_load(string header)
    {
        var yaml = $"- match: {{ last_user: hi }}\n  response:\n    content: hello\n    headers:\n      {header}\n";

        var error = Assert.Throws<FixtureLoadException>(() => FixtureLoader.Parse(yaml, "headers.yaml")).Error;

        Assert.Equal("headers.yaml", error.File);
        Assert.Equal(5, error.Line);
    }

    [Fact]
    public void A_saved_postman_header_with_a_line_break_is_refused_at_load()
    {
        var collection = """
            {"info":{"name":"c","schema":"https://schema.getpostman.com/json/collection/v2.1.0/collection.json"},
             "item":[{"name":"one","request":{"method":"POST","url":"http://x/v1/chat/completions","body":{"mode":"raw","raw":"{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}"}},
                      "response":[{"name":"ok","code":200,"header":[{"key":"x-trace","value":"a\r\nb"}],"body":"{\"choices\":[{\"message\":{\"role\":\"assistant\",\"content\":\"hello\"}}]}"}]}]}
            """;

        var error = Assert.Throws<FixtureLoadException>(() => FixtureLoader.Parse(collection, "c.json", FixtureFormat.Json)).Error;

        Assert.Contains("x-trace", error.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_header_with_a_line_break_over_the_admin_api_is_a_400_and_requests_still_answer()
    {
        await using var mock = await MockLlmServer.StartAsync(b => b.AddFixture("ok", f => f.WhenLastUser("hi").RespondWith("hello")), Ct);
        using var http = mock.CreateClient();

        using var added = await http.PostAsync("/__admin/fixtures", Yaml("match: { last_user: hi }\npriority: 10\nresponse:\n  content: evil\n  headers: { x-trace: \"a\\r\\nb\" }\n"), Ct);

        Assert.Equal(HttpStatusCode.BadRequest, added.StatusCode);
        Assert.Equal("hello", await TestData.AskAsync(mock, "hi", Ct));
    }
}
