namespace Switchboard.Conversations.Tests.Infrastructure;

/// <summary>Configuration files for the tests: the built-in mock provider with the test's fixtures, a SQLite file of the test's own.</summary>
public static class Configs
{
    public const string SystemPrompt = "You are TestBot.";

    /// <param name="fixtures">The fixtures file.</param>
    /// <param name="database">The <c>database:</c> section's body, e.g. <c>{connection: "..."}</c>.</param>
    /// <param name="contextWindow">The model's <c>context_window</c>.</param>
    /// <param name="conversations">Extra lines of the <c>conversations:</c> section, indented by four spaces.</param>
    public static string Yaml(string fixtures, string database, int contextWindow = 4096, string conversations = "") => $$"""
        providers:
          - {name: fake, type: mock, fixtures: "{{fixtures}}"}
        models:
          - {name: bot-model, deployments: [{provider: fake, model: bot-model}], context_window: {{contextWindow}}}
          - {name: other-model, deployments: [{provider: fake, model: other-model}]}
        database: {{database}}
        conversations:
          system_prompt: "{{SystemPrompt}}"
          bot_name: TestBot
        {{conversations}}
        """;

    public static string Sqlite(TestFolder folder) => $"{{connection: \"{folder.SqliteConnection}\"}}";
}
