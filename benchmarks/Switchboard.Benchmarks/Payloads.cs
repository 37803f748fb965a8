using System.Globalization;
using System.Text;
using System.Text.Json;
using Switchboard.OpenAI;

namespace Switchboard.Benchmarks;

/// <summary>Deterministic request, response and stream bodies shared by the benchmarks.</summary>
public static class Payloads
{
    public static readonly byte[] SmallChat = Encoding.UTF8.GetBytes(
        """
        {"model":"gpt-4o-mini","messages":[{"role":"system","content":"You are a helpful assistant."},{"role":"user","content":"Hello! What can you do for me today?"}],"temperature":0.2,"max_tokens":256}
        """);

    public static readonly byte[] WithTools = Encoding.UTF8.GetBytes(
        """
        {"model":"gpt-4o-mini","messages":[
          {"role":"system","content":"You are a travel assistant. Use the tools when they help."},
          {"role":"user","content":"What's the weather in Paris and can you book me a table for two at 8pm?"},
          {"role":"assistant","content":null,"tool_calls":[{"id":"call_1","type":"function","function":{"name":"get_weather","arguments":"{\"city\":\"Paris\",\"unit\":\"celsius\"}"}}]},
          {"role":"tool","tool_call_id":"call_1","content":"{\"temperature\":18,\"condition\":\"cloudy\"}"},
          {"role":"user","content":"Great, now the table please."}],
         "tools":[
          {"type":"function","function":{"name":"get_weather","description":"Current weather for a city","parameters":{"type":"object","properties":{"city":{"type":"string","description":"City name"},"unit":{"type":"string","enum":["celsius","fahrenheit"]}},"required":["city"]}}},
          {"type":"function","function":{"name":"book_table","description":"Book a restaurant table","parameters":{"type":"object","properties":{"restaurant":{"type":"string"},"people":{"type":"integer","minimum":1},"time":{"type":"string","format":"time"},"notes":{"type":"string"}},"required":["people","time"]},"strict":true}},
          {"type":"function","function":{"name":"search_restaurants","description":"Find restaurants near a place","parameters":{"type":"object","properties":{"near":{"type":"string"},"cuisine":{"type":"string"},"price":{"type":"string","enum":["$","$$","$$$"]},"open_now":{"type":"boolean"}},"required":["near"]}}}],
         "tool_choice":"auto","parallel_tool_calls":true,"temperature":0,"stream":false}
        """);

    /// <summary>About 20 KB: a Rasa CALM command-generator prompt (flows, slots, conversation history) in one user message.</summary>
    public static readonly byte[] RasaPrompt = BuildRasaRequest(20 * 1024);

    public static readonly ChatCompletionResponse Response = new()
    {
        Id = "chatcmpl-bench-0001",
        Created = 1_763_942_400,
        Model = "gpt-4o-mini-2024-07-18",
        Choices =
        [
            new ChatChoice
            {
                Index = 0,
                Message = ChatMessage.Assistant("Hello! I can answer questions, draft and summarize text, help with code, plan trips and much more. What would you like to start with?"),
                FinishReason = "stop",
            },
        ],
        Usage = Usage.Of(28, 31),
        SystemFingerprint = "fp_bench",
    };

    /// <summary>Chunks of a streamed answer: a role chunk, <paramref name="contentChunks"/> content deltas, a finish chunk.</summary>
    public static List<ChatCompletionChunk> Chunks(int contentChunks)
    {
        var chunks = new List<ChatCompletionChunk>(contentChunks + 2)
        {
            Chunk(new ChatDelta { Role = "assistant", Content = string.Empty }, null),
        };
        for (var i = 0; i < contentChunks; i++)
        {
            chunks.Add(Chunk(new ChatDelta { Content = i % 3 == 0 ? " token" : "word" + i.ToString(CultureInfo.InvariantCulture) }, null));
        }

        chunks.Add(Chunk(new ChatDelta(), "stop"));
        return chunks;
    }

    /// <summary>An SSE body as OpenAI sends it: one <c>data:</c> event per chunk, then <c>data: [DONE]</c>.</summary>
    public static byte[] SseBody(int contentChunks)
    {
        using var stream = new MemoryStream();
        foreach (var chunk in Chunks(contentChunks))
        {
            stream.Write("data: "u8);
            JsonSerializer.Serialize(stream, chunk, OpenAIJsonContext.Default.ChatCompletionChunk);
            stream.Write("\n\n"u8);
        }

        stream.Write("data: [DONE]\n\n"u8);
        return stream.ToArray();
    }

    private static ChatCompletionChunk Chunk(ChatDelta delta, string? finishReason) => new()
    {
        Id = "chatcmpl-bench-0001",
        Created = 1_763_942_400,
        Model = "gpt-4o-mini-2024-07-18",
        Choices = [new ChunkChoice { Index = 0, Delta = delta, FinishReason = finishReason }],
        SystemFingerprint = "fp_bench",
    };

    private static byte[] BuildRasaRequest(int targetBytes)
    {
        var prompt = new StringBuilder();
        prompt.Append("Your task is to analyze the current conversation context and generate a list of actions to start new business processes that we call flows, to extract slots, or respond to small talk and knowledge requests.\n\n");
        prompt.Append("These are the flows that can be started, with their description and slots:\n\n");
        var history = "\n===\nHere is what happened previously in the conversation:\nUSER: hi\nAI: Hey there! How can I help you today?\nUSER: I'd like to order a pizza\nAI: How many pizzas would you like?\nUSER: 2 please\n===\n\nYou are currently not in any flow and so there are no active slots.\nThis means you can only set a slot if you first start a flow that requires that slot.\n\nIf you start a flow, first start the flow and then optionally fill that flow's slots with information the user provided in their message.\n\nThe user just said \"\"\"2 please\"\"\".\n\n===\nBased on this information generate a list of actions you want to take. Your job is to start flows and to fill slots where appropriate. Any logic of what happens afterwards is handled by the flow engine. These are your available actions:\n* Slot setting, described by \"SetSlot(slot_name, slot_value)\". An example would be \"SetSlot(recipient, Freddy)\"\n* Starting another flow, described by \"StartFlow(flow_name)\". An example would be \"StartFlow(transfer_money)\"\n* Cancelling the current flow, described by \"CancelFlow()\"\n* Clarifying which flow should be started. An example would be Clarify(list_contacts, add_contact, remove_contact) if the user just wrote \"contacts\" and there are multiple potential candidates. It also works with a single flow name to confirm you understood correctly, as in Clarify(transfer_money).\n* Intercepting and handling user messages with the intent to bypass the current step in the flow, described by \"SkipQuestion()\".\n* Responding to knowledge-oriented user messages, described by \"SearchAndReply()\"\n* Responding to a casual, non-task-oriented user message, described by \"ChitChat()\".\n* Handing off to a human, in case the user seems frustrated or explicitly asks to speak to one, described by \"HumanHandoff()\".\n\n===\nWrite out the actions you want to take, one per line, in the order they should take place.\nDo not fill slots with abstract values or placeholders.\nOnly use information provided by the user.\nOnly start a flow if it's not already started.\nDon't correct flows that are already active.\nStrictly adhere to the provided action format.\nFocus on the last message and take it one step at a time.\nUse the previous conversation steps only to aid understanding.\n\nYour action list:";
        var flow = 0;
        while (prompt.Length + history.Length < targetBytes - 200)
        {
            var f = flow.ToString(CultureInfo.InvariantCulture);
            prompt.Append("order_pizza_variant_").Append(f).Append(": order one or more pizzas of variant ").Append(f).Append(" for delivery or pick-up, with toppings and a size\n");
            prompt.Append("    slot: pizza_count_").Append(f).Append(" (float)\n");
            prompt.Append("    slot: pizza_size_").Append(f).Append(" (categorical, allowed values: small, medium, large)\n");
            prompt.Append("    slot: delivery_address_").Append(f).Append('\n');
            flow++;
        }

        prompt.Append(history);
        var request = new ChatCompletionRequest
        {
            Model = "gpt-4o-mini",
            Messages = [ChatMessage.User(prompt.ToString())],
            Temperature = 0,
            MaxTokens = 256,
        };
        return JsonSerializer.SerializeToUtf8Bytes(request, OpenAIJsonContext.Default.ChatCompletionRequest);
    }
}
