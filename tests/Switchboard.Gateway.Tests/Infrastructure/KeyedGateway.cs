using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Switchboard.Data;
using Switchboard.Data.Entities;
using Switchboard.Data.Usage;

namespace Switchboard.Gateway.Tests.Infrastructure;

/// <summary>Helpers for gateways with auth on: the master key, keys made through the admin API, the usage rows.</summary>
public static class KeyedGateway
{
    public const string MasterKey = "sb-master-key-for-tests-0123456789";

    public static Dictionary<string, string?> Environment(params (string Name, string? Value)[] more)
    {
        var environment = new Dictionary<string, string?> { ["SWITCHBOARD_MASTER_KEY"] = MasterKey };
        foreach (var (name, value) in more)
        {
            environment[name] = value;
        }

        return environment;
    }

    /// <summary>An HTTP client for the gateway that sends <paramref name="key"/> as a bearer token.</summary>
    public static HttpClient Client(this TestGateway gateway, string? key)
    {
        var client = new HttpClient { BaseAddress = new Uri(gateway.BaseUrl) };
        if (key is not null)
        {
            client.DefaultRequestHeaders.Authorization = new("Bearer", key);
        }

        return client;
    }

    /// <summary>Creates a key through <c>POST /admin/keys</c>; returns (id, key).</summary>
    public static async Task<(string Id, string Key)> CreateKeyAsync(this TestGateway gateway, object body, CancellationToken cancellationToken)
    {
        using var admin = gateway.Client(MasterKey);
        using var response = await admin.PostAsJsonAsync("/admin/keys", body, cancellationToken);
        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        Assert.True(response.StatusCode == System.Net.HttpStatusCode.Created, text);
        using var json = JsonDocument.Parse(text);
        return (json.RootElement.GetProperty("id").GetString()!, json.RootElement.GetProperty("key").GetString()!);
    }

    /// <summary>A chat request body for <paramref name="model"/>.</summary>
    public static StringContent Chat(string model = "mock-echo", string text = "hello", bool stream = false, string? user = null) =>
        new(JsonSerializer.Serialize(new Dictionary<string, object?>
        {
            ["model"] = model,
            ["stream"] = stream,
            ["user"] = user,
            ["messages"] = new[] { new Dictionary<string, string> { ["role"] = "user", ["content"] = text } },
        }), System.Text.Encoding.UTF8, "application/json");

    /// <summary>
    /// Waits until <paramref name="requests"/> requests have finished (their usage records are queued then: see
    /// <see cref="RequestsFinishedAsync"/>) and every queued record is in the database (or the spill file), then reads
    /// the rows. A client has its answer before the gateway queues the record, so flushing alone could miss it.
    /// </summary>
    public static async Task<List<UsageEntity>> UsageRowsAsync(this TestGateway gateway, int requests, CancellationToken cancellationToken)
    {
        await gateway.RequestsFinishedAsync(requests, cancellationToken);
        await gateway.Services.GetRequiredService<UsageWriter>().FlushAsync(cancellationToken);
        await using var context = gateway.Services.GetRequiredService<SwitchboardDatabase>().CreateContext();
        return await context.Usage.OrderBy(u => u.OccurredAt).ToListAsync(cancellationToken);
    }

    /// <summary>
    /// Waits until the dashboard's request log holds <paramref name="count"/> finished requests. The usage record is
    /// queued by a completion callback that runs after the answer went out (and before the log's), so
    /// <see cref="UsageRowsAsync"/> waits here before it flushes.
    /// </summary>
    public static async Task RequestsFinishedAsync(this TestGateway gateway, int count, CancellationToken cancellationToken)
    {
        var log = gateway.Services.GetRequiredService<Switchboard.Gateway.Dashboard.RequestLog>();
        using var live = log.Subscribe();
        while (log.Recent(new Switchboard.Gateway.Dashboard.RequestFilter(), count).Count < count)
        {
            await live.Reader.ReadAsync(cancellationToken);
        }
    }
}
