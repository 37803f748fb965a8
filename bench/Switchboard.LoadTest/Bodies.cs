using System.Globalization;
using System.Text;

namespace Switchboard.LoadTest;

/// <summary>The request bodies every target gets, byte for byte the same.</summary>
internal static class Bodies
{
    private const string Messages = "\"messages\":[{\"role\":\"system\",\"content\":\"You are a helpful assistant.\"},{\"role\":\"user\",\"content\":\"Say hello in a few words.\"}]";

    public static readonly byte[] Plain = Utf8("{\"model\":\"gpt-4o-mini\"," + Messages + ",\"max_tokens\":64}");
    public static readonly byte[] Stream = Utf8("{\"model\":\"gpt-4o-mini\"," + Messages + ",\"max_tokens\":64,\"stream\":true}");
    public static readonly byte[] Paced = Utf8("{\"model\":\"gpt-4o-mini\"," + Messages + ",\"max_tokens\":64,\"stream\":true,\"user\":\"bench-paced\"}");

    // Counted across warm-up and measured runs alike (a worker's sequence starts over with each run).
    private static int s_unique;

    /// <summary>About 20 KB: a Rasa CALM command-generator prompt in one user message.</summary>
    public static readonly byte[] Large = BuildLarge(20 * 1024);

    /// <summary>The plain body with a question of its own each time: a gateway cache never has the answer (a miss every time).</summary>
    public static byte[] Unique(int sequence) => Utf8(
        "{\"model\":\"gpt-4o-mini\",\"messages\":[{\"role\":\"system\",\"content\":\"You are a helpful assistant.\"},{\"role\":\"user\",\"content\":\"Say hello in a few words, number "
        + sequence.ToString(CultureInfo.InvariantCulture) + ".\"}],\"max_tokens\":64}");

    /// <summary>Plain, stream, paced, large, mixed (plain and stream alternately) and unique bodies for the gateway targets.</summary>
    public static (byte[] Body, bool Stream) Gateway(Scenario scenario, int sequence) => scenario.Kind switch
    {
        "plain" => (Plain, false),
        "stream" => (Stream, true),
        "paced" => (Paced, true),
        "large" => (Large, false),
        "mixed" => sequence % 2 == 0 ? (Plain, false) : (Stream, true),
        "unique" => (Unique(Interlocked.Increment(ref s_unique)), false),
        _ => throw new ArgumentException($"unknown scenario kind '{scenario.Kind}'"),
    };

    /// <summary>Requests that each hit one of <paramref name="fixtures"/> fixtures, spread over all of them.</summary>
    public static Func<Scenario, int, (byte[] Body, bool Stream)> Mock(int fixtures)
    {
        var bodies = Enumerable.Range(0, fixtures).Select(i => Utf8(
            "{\"model\":\"gpt-4o-mini\",\"messages\":[{\"role\":\"system\",\"content\":\"You are a pizza bot.\"},{\"role\":\"user\",\"content\":\""
            + Fixtures.Question(i) + "\"}]}")).ToArray();
        // A stride coprime with the count visits every fixture in a scattered order.
        var stride = fixtures > 7919 && fixtures % 7919 != 0 ? 7919 : fixtures % 7 != 0 ? 7 : 1;
        return (_, sequence) => (bodies[(int)((long)sequence * stride % fixtures)], false);
    }

    /// <summary>
    /// The bodies <c>loadtest rasa</c> wrote into <paramref name="folder"/> (plain.bin, stream.bin), in turn: the
    /// scenario <c>plain</c> sends them as saved, <c>stream</c> with <c>"stream": true</c>.
    /// </summary>
    public static Func<Scenario, int, (byte[] Body, bool Stream)> Rasa(string folder)
    {
        var plain = Split(File.ReadAllBytes(Path.Combine(folder, "plain.bin")));
        var stream = Split(File.ReadAllBytes(Path.Combine(folder, "stream.bin")));
        return (scenario, sequence) => scenario.Kind switch
        {
            "plain" => (plain[sequence % plain.Length], false),
            "stream" => (stream[sequence % stream.Length], true),
            _ => throw new ArgumentException($"the Rasa bodies come plain or stream, not '{scenario.Kind}'"),
        };
    }

    private static byte[][] Split(byte[] bytes)
    {
        var parts = new List<byte[]>();
        var start = 0;
        for (var i = 0; i <= bytes.Length; i++)
        {
            if (i == bytes.Length || bytes[i] == 0)
            {
                parts.Add(bytes[start..i]);
                start = i + 1;
            }
        }

        return [.. parts];
    }

    private static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);

    private static byte[] BuildLarge(int size)
    {
        var prompt = new StringBuilder("Your task is to analyze the current conversation context and generate a list of actions to start new business processes that we call flows, to extract slots, or respond to small talk and knowledge requests.\\n\\nThese are the flows that can be started, with their description and slots:\\n\\n");
        for (var i = 0; prompt.Length < size - 600; i++)
        {
            var n = i.ToString(CultureInfo.InvariantCulture);
            prompt.Append("order_pizza_").Append(n).Append(": order pizzas of variant ").Append(n).Append(" for delivery or pick-up\\n    slot: pizza_count_").Append(n)
                .Append(" (float)\\n    slot: pizza_size_").Append(n).Append(" (categorical: small, medium, large)\\n");
        }

        prompt.Append("\\n===\\nHere is what happened previously in the conversation:\\nUSER: hi\\nAI: Hey there! How can I help?\\nUSER: I'd like to order a pizza\\nAI: How many pizzas would you like?\\nUSER: 2 please\\n===\\n\\nYour action list:");
        return Utf8("{\"model\":\"gpt-4o-mini\",\"messages\":[{\"role\":\"user\",\"content\":\"" + prompt + "\"}],\"temperature\":0,\"max_tokens\":256}");
    }
}
