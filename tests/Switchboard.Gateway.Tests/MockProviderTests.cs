using System.Net;
using System.Text;
using System.Text.Json;
using Switchboard.Gateway.Tests.Infrastructure;

namespace Switchboard.Gateway.Tests;

/// <summary>The gateway's `type: mock` provider answers from the same fixture files as `switchboard mock`.</summary>
public sealed class MockProviderTests
{
    private static readonly string RasaCollection = Path.GetFullPath(Path.Combine(RepositoryPaths.Root, "..", "shared", "fixtures", "rasa-calm-demo", "collection.json"));

    private static Task<TestGateway> StartRasaGatewayAsync() => TestGateway.StartAsync($$"""
        providers:
          - {name: fake, type: mock, fixtures: "{{RasaCollection}}"}
        models:
          - {name: gpt-4, deployments: [{provider: fake}]}
        """);

    [Fact]
    public async Task RasaCollectionAnswersThroughTheGateway()
    {
        await using var gateway = await StartRasaGatewayAsync();
        using var collection = JsonDocument.Parse(await File.ReadAllTextAsync(RasaCollection, TestContext.Current.CancellationToken));
        var answered = 0;
        foreach (var item in collection.RootElement.GetProperty("item").EnumerateArray())
        {
            var body = item.GetProperty("request").GetProperty("body").GetProperty("raw").GetString()!;
            using var saved = JsonDocument.Parse(item.GetProperty("response")[0].GetProperty("body").GetString()!);
            var expected = saved.RootElement.GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString();

            using var response = await gateway.Http.PostAsync("/v1/chat/completions", new StringContent(body, Encoding.UTF8, "application/json"), TestContext.Current.CancellationToken);

            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            using var answer = JsonDocument.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
            Assert.Equal(expected, answer.RootElement.GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString());
            answered++;
        }

        Assert.Equal(19, answered);
    }

    [Fact]
    public async Task FixtureMissIs404NamingTheClosestFixture()
    {
        await using var gateway = await StartRasaGatewayAsync();
        using var collection = JsonDocument.Parse(await File.ReadAllTextAsync(RasaCollection, TestContext.Current.CancellationToken));
        var body = collection.RootElement.GetProperty("item")[1].GetProperty("request").GetProperty("body").GetProperty("raw").GetString()!;
        var changed = body.Replace("USER: @barts", "USER: @homer", StringComparison.Ordinal);
        Assert.NotEqual(body, changed);

        using var response = await gateway.Http.PostAsync("/v1/chat/completions", new StringContent(changed, Encoding.UTF8, "application/json"), TestContext.Current.CancellationToken);

        var error = await ErrorAssert.IsOpenAIErrorAsync(response, HttpStatusCode.NotFound);
        Assert.Contains("add_contact_handle", error.GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task HeaderMatchersSeeTheClientsHeaders()
    {
        var directory = Directory.CreateTempSubdirectory("switchboard-mock-headers-");
        try
        {
            var fixtures = Path.Combine(directory.FullName, "tenants.yaml");
            await File.WriteAllTextAsync(fixtures, """
                fixtures:
                  - name: tenant-a
                    match:
                      headers: {x-tenant: a}
                    response: for tenant a
                  - name: anyone
                    response: for anyone
                """, TestContext.Current.CancellationToken);
            await using var gateway = await TestGateway.StartAsync($$"""
                providers:
                  - {name: fake, type: mock, fixtures: "{{fixtures}}"}
                models:
                  - {name: m, deployments: [{provider: fake}]}
                """);

            using var tenantRequest = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions")
            {
                Content = new StringContent("{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}", Encoding.UTF8, "application/json"),
            };
            tenantRequest.Headers.Add("X-Tenant", "a");
            using var tenant = await gateway.Http.SendAsync(tenantRequest, TestContext.Current.CancellationToken);
            using var anyone = await gateway.Http.PostAsync("/v1/chat/completions", new StringContent("{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}", Encoding.UTF8, "application/json"), TestContext.Current.CancellationToken);

            Assert.Contains("for tenant a", await tenant.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), StringComparison.Ordinal);
            Assert.Contains("for anyone", await anyone.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), StringComparison.Ordinal);
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task WatchedFixturesAreReloadedWhenTheirFileChanges()
    {
        var folder = Directory.CreateTempSubdirectory("switchboard-watch-");
        try
        {
            var file = Path.Combine(folder.FullName, "greeting.yaml");
            await File.WriteAllTextAsync(file, Greeting("Hi from the first version."), TestContext.Current.CancellationToken);
            await using var gateway = await TestGateway.StartAsync($$"""
                providers:
                  - {name: fake, type: mock, fixtures: "{{folder.FullName}}", watch: true}
                models:
                  - {name: m, deployments: [{provider: fake}]}
                """);
            Assert.Equal("Hi from the first version.", await AskAsync(gateway));

            await File.WriteAllTextAsync(file, Greeting("Hi from the second version."), TestContext.Current.CancellationToken);

            // Reloads are debounced and polled; wait (bounded) for the new answer rather than for a time.
            using var guard = new CancellationTokenSource(TimeSpan.FromSeconds(15));
            string? answer;
            while ((answer = await AskAsync(gateway)) != "Hi from the second version.")
            {
                Assert.Equal("Hi from the first version.", answer);
                await Task.Delay(50, guard.Token);
            }
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    private static string Greeting(string reply) => $"fixtures:\n  - name: greeting\n    match:\n      last_user: Hello!\n    response: {reply}\n";

    private static async Task<string?> AskAsync(TestGateway gateway)
    {
        using var response = await gateway.Http.PostAsync(
            "/v1/chat/completions",
            new StringContent("""{"model":"m","messages":[{"role":"user","content":"Hello!"}]}""", Encoding.UTF8, "application/json"),
            TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var answer = JsonDocument.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        return answer.RootElement.GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString();
    }
}
