using System.ClientModel;
using System.ClientModel.Primitives;
using System.Text.Json;
using OpenAI;
using OpenAI.Chat;

namespace Switchboard.Mock.Tests;

/// <summary>Paths of shared test data and clients for the mock.</summary>
internal static class TestData
{
    private static readonly Lazy<string> SharedFolder = new(FindShared);

    /// <summary>The Rasa CALM demo collection, kept unchanged in shared/ beside the repository.</summary>
    public static string RasaCollection => Path.Combine(SharedFolder.Value, "fixtures", "rasa-calm-demo", "collection.json");

    public static string Samples => Path.Combine(RepoRoot(), "samples", "fixtures");

    public static ChatClient Chat(Uri endpoint, string model = "gpt-4") =>
        new(model, new ApiKeyCredential("sk-test-secret"), Options(endpoint));

    /// <summary>Sends one user message through the SDK and returns the answer's text.</summary>
    public static async Task<string> AskAsync(Switchboard.Mock.Testing.MockLlmServer mock, string user, CancellationToken cancellationToken)
    {
        ChatCompletion completion = await Chat(mock.OpenAIEndpoint).CompleteChatAsync([new UserChatMessage(user)], cancellationToken: cancellationToken);
        return completion.Content[0].Text;
    }

    public static OpenAIClient Client(Uri endpoint) => new(new ApiKeyCredential("sk-test-secret"), Options(endpoint));

    /// <summary>The items of the Rasa collection: the request body as the bot sends it and the saved answer.</summary>
    public static IReadOnlyList<RasaTurn> RasaTurns()
    {
        using var document = JsonDocument.Parse(File.ReadAllText(RasaCollection));
        var turns = new List<RasaTurn>();
        foreach (var item in document.RootElement.GetProperty("item").EnumerateArray())
        {
            var raw = item.GetProperty("request").GetProperty("body").GetProperty("raw").GetString()!;
            using var body = JsonDocument.Parse(raw);
            var prompt = body.RootElement.GetProperty("messages")[0].GetProperty("content").GetString()!;
            var response = item.GetProperty("response")[0];
            using var saved = JsonDocument.Parse(response.GetProperty("body").GetString()!);
            var content = saved.RootElement.GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString()!;
            turns.Add(new RasaTurn(response.GetProperty("name").GetString()!, prompt, content));
        }

        return turns;
    }

    public static string TempFolder()
    {
        var path = Path.Combine(Path.GetTempPath(), "switchboard-mock-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(path);
        return path;
    }

    private static OpenAIClientOptions Options(Uri endpoint) => new()
    {
        Endpoint = endpoint,
        // Fault tests need to see every 429 and 5xx, not the SDK's retries.
        RetryPolicy = new ClientRetryPolicy(0),
        NetworkTimeout = TimeSpan.FromSeconds(30),
    };

    private static string FindShared()
    {
        if (Environment.GetEnvironmentVariable("SWITCHBOARD_SHARED") is { Length: > 0 } configured)
        {
            return configured;
        }

        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "shared", "fixtures", "rasa-calm-demo");
            if (Directory.Exists(candidate))
            {
                return Path.Combine(dir.FullName, "shared");
            }
        }

        throw new InvalidOperationException("shared/fixtures/rasa-calm-demo was not found beside the repository; set SWITCHBOARD_SHARED.");
    }

    private static string RepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Switchboard.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("The repository root (Switchboard.sln) was not found.");
    }
}

internal sealed record RasaTurn(string Name, string Prompt, string Answer);
