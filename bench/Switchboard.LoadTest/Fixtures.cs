using System.Globalization;
using System.Text;

namespace Switchboard.LoadTest;

/// <summary>Writes the same N question/answer fixtures for the Switchboard mock (YAML) and for mock-llm (rules).</summary>
internal static class Fixtures
{
    public static string Question(int i) => "fixture question " + i.ToString(CultureInfo.InvariantCulture) + ": what is on the menu today?";

    public static string Answer(int i) => "Answer " + i.ToString(CultureInfo.InvariantCulture) + ": margherita, funghi and quattro formaggi.";

    /// <summary>One fixture per question, matched on the last user message (the Switchboard mock indexes these exactly).</summary>
    public static void WriteSwitchboard(string path, int count)
    {
        using var writer = new StreamWriter(path, false, new UTF8Encoding(false));
        writer.WriteLine("fixtures:");
        for (var i = 0; i < count; i++)
        {
            writer.WriteLine($"  - name: f{i}");
            writer.WriteLine("    match:");
            writer.WriteLine($"      last_user: \"{Question(i)}\"");
            writer.WriteLine($"    response: \"{Answer(i)}\"");
        }
    }

    /// <summary>
    /// The same fixtures as mock-llm rules: a JMESPath equality on the last message, answering a whole chat
    /// completion (mock-llm sends the rule's content as it is, so it must be a complete body).
    /// </summary>
    public static void WriteMockLlm(string path, int count)
    {
        using var writer = new StreamWriter(path, false, new UTF8Encoding(false));
        writer.WriteLine("rules:");
        for (var i = 0; i < count; i++)
        {
            var n = i.ToString(CultureInfo.InvariantCulture);
            writer.WriteLine("  - path: \"/v1/chat/completions\"");
            writer.WriteLine("    method: \"POST\"");
            writer.WriteLine($"    match: \"body.messages[-1].content == '{Question(i)}'\"");
            writer.WriteLine("    response:");
            writer.WriteLine("      status: 200");
            writer.WriteLine($"      content: '{{\"id\":\"chatcmpl-{n}\",\"object\":\"chat.completion\",\"created\":1763942400,\"model\":\"gpt-4o-mini\",\"choices\":[{{\"index\":0,\"message\":{{\"role\":\"assistant\",\"content\":\"{Answer(i)}\"}},\"finish_reason\":\"stop\"}}],\"usage\":{{\"prompt_tokens\":20,\"completion_tokens\":12,\"total_tokens\":32}}}}'");
        }
    }
}
