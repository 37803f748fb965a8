using System.Collections.Concurrent;
using System.Text.Json;

namespace Switchboard.Fuzz.Tests;

/// <summary>Sends a list of hostile cases to a server, a few at a time, and judges every answer.</summary>
public static class FuzzRun
{
    /// <summary>The failures of a run, one line each: the case and what was wrong with its answer.</summary>
    public static async Task<IReadOnlyList<string>> RunAsync(SwitchboardProcess server, IReadOnlyList<HostileCase> cases, int parallelism, TimeSpan perCase, CancellationToken cancellationToken)
    {
        var failures = new ConcurrentQueue<string>();
        await Parallel.ForEachAsync(cases, new ParallelOptions { MaxDegreeOfParallelism = parallelism, CancellationToken = cancellationToken }, async (hostile, ct) =>
        {
            var response = await RawHttp.ExchangeAsync(server.Endpoint, hostile.Request, hostile.HalfClose, perCase, ct);
            if (Judge(hostile, response) is { } problem)
            {
                failures.Enqueue($"{hostile.Name}: {problem}");
            }
        });
        return [.. failures];
    }

    /// <summary>Null when the answer is acceptable; otherwise what is wrong with it.</summary>
    public static string? Judge(HostileCase hostile, RawResponse response)
    {
        switch (response.Outcome)
        {
            case RawOutcome.TimedOut:
                return "no answer within the case's timeout";
            case RawOutcome.Closed:
                return hostile.MayClose ? null : "the connection was closed without an answer";
        }

        if (response.Status >= 500 && !(response.Status == 505 && hostile.MayClose))
        {
            return $"answered {response}";
        }

        if (hostile.MustRefuse && response.Status is < 400 or >= 500)
        {
            return $"must be refused with a 4xx, was answered {response}";
        }

        if (response.Status is >= 400 and < 500 && response.Body.Length > 0)
        {
            return IsOpenAIError(response.Body) ? null : $"a {response.Status} that is not an OpenAI error object: {response}";
        }

        return null;
    }

    /// <summary><c>{"error":{"message":"…","type":"…","param":…,"code":…}}</c>.</summary>
    public static bool IsOpenAIError(byte[] body)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            return document.RootElement.ValueKind == JsonValueKind.Object
                && document.RootElement.TryGetProperty("error", out var error)
                && error.ValueKind == JsonValueKind.Object
                && error.TryGetProperty("message", out var message) && message.ValueKind == JsonValueKind.String && message.GetString()!.Length > 0
                && error.TryGetProperty("type", out var type) && type.ValueKind == JsonValueKind.String
                && error.TryGetProperty("param", out _)
                && error.TryGetProperty("code", out _);
        }
        catch (JsonException)
        {
            return false;
        }
    }
}
