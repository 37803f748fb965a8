using System.Net;
using Microsoft.EntityFrameworkCore;
using Switchboard.Data;
using Switchboard.Gateway.Tests.Infrastructure;

namespace Switchboard.Gateway.Tests;

/// <summary>The gateway on PostgreSQL (<c>database.provider: postgres</c>), including the database going away under load.</summary>
public sealed class PostgresGatewayTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static string Config(string connection) => $$"""
        providers:
          - {name: mock, type: mock}
        models:
          - {name: mock-echo, deployments: [{provider: mock, model: mock-echo}]}
        database:
          provider: postgres
          connection: "{{connection}}"
          write_timeout: 2s
        """;

    [Fact]
    public async Task KeysAndUsageWorkOnPostgres()
    {
        Assert.SkipWhen(TestPostgres.ServerConnection is null, TestPostgres.SkipReason);
        var connection = await TestPostgres.CreateDatabaseAsync("gateway", Ct);
        await using var gateway = await TestGateway.StartAsync(Config(connection), KeyedGateway.Environment());
        var (id, key) = await gateway.CreateKeyAsync(new { name = "pg", budget = new[] { "5/day" } }, Ct);
        using var client = gateway.Client(key);

        for (var i = 0; i < 5; i++)
        {
            using var response = await client.PostAsync("/v1/chat/completions", KeyedGateway.Chat(), Ct);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        var rows = await gateway.UsageRowsAsync(5, Ct);
        Assert.Equal(5, rows.Count(r => r.KeyId == id));
        var spend = gateway.Services.GetService(typeof(global::Switchboard.Accounting.IKeySpendSource)) as global::Switchboard.Accounting.IKeySpendSource;
        Assert.NotNull(spend);
        Assert.Equal(0m, await spend.GetSpendAsync(id, DateTimeOffset.UtcNow.AddDays(-1), Ct));
    }

    [Fact]
    public async Task RequestsAreUnaffectedWhileTheDatabaseIsDownAndEveryRowArrivesOnceAfterwards()
    {
        Assert.SkipWhen(TestPostgres.ServerConnection is null, TestPostgres.SkipReason);
        var direct = await TestPostgres.CreateDatabaseAsync("outage", Ct);
        await using var link = CuttableTcpLink.Start(TestPostgres.ServerPort(direct));
        await using var gateway = await TestGateway.StartAsync(Config(TestPostgres.ThroughPort(direct, link.Port)), KeyedGateway.Environment());
        var (_, key) = await gateway.CreateKeyAsync(new { name = "load" }, Ct);
        using var client = gateway.Client(key);
        var sent = 0;
        var failures = 0;
        var phase = 0;

        async Task LoadAsync(int until)
        {
            var workers = Enumerable.Range(0, 4).Select(_ => Task.Run(async () =>
            {
                while (Volatile.Read(ref sent) < until)
                {
                    var id = $"outage-{Interlocked.Increment(ref sent)}-{phase}";
                    using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions") { Content = KeyedGateway.Chat() };
                    request.Headers.Add("x-request-id", id);
                    using var response = await client.SendAsync(request, Ct);
                    if (response.StatusCode != HttpStatusCode.OK)
                    {
                        Interlocked.Increment(ref failures);
                    }
                }
            }, Ct));
            await Task.WhenAll(workers);
        }

        await LoadAsync(200);
        await link.CutAsync();
        phase = 1;
        // Longer than the key cache's 5 s would be nicer, but the writer's pauses are what matter here.
        await LoadAsync(600);
        link.Restore();
        phase = 2;
        await LoadAsync(800);

        Assert.Equal(0, failures);
        var total = Volatile.Read(ref sent);
        await using var context = new SwitchboardDatabase(new DatabaseOptions { Provider = "postgres", Connection = direct }).CreateContext();
        using var guard = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        // A deadline, not a speed: the writer's pause after failures doubles up to 30 s, and a loaded CI machine has
        // run out of one minute here (the writer waited out a long pause, then replayed).
        guard.CancelAfter(TimeSpan.FromMinutes(3));
        // The replay runs on the writer's own schedule (it waits out its pause after the outage): poll for it.
        while (await context.Usage.CountAsync(guard.Token) < total)
        {
            await Task.Delay(200, guard.Token);
        }

        var ids = await context.Usage.Select(u => u.RequestId).ToListAsync(Ct);
        Assert.Equal(total, ids.Count);
        Assert.Equal(total, ids.Distinct().Count());
    }
}
