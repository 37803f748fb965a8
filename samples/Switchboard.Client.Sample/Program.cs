// Switchboard.Client against `switchboard serve` (or any server the LLM_* variables name):
//   dotnet run --project src/Switchboard -- serve              # in one terminal
//   dotnet run --project samples/Switchboard.Client.Sample     # in another
using Microsoft.Extensions.AI;
using Switchboard.Client;

var options = LlmClientOptions.FromEnvironment();
options.Model ??= "mock-echo"; // the embedded default's echo model, when LLM_MODEL is not set

// The three lines.
using var llm = LlmClient.Create(options);
var answer = await llm.CompleteAsync("Hello from Switchboard.Client!");
Console.WriteLine(answer.Success ? answer.Content : answer.Error);
Console.WriteLine($"  model {answer.ModelUsed}, {answer.TokensUsed} tokens, {answer.ResponseTime.TotalMilliseconds:0} ms");

// A conversation, streamed: text as it arrives, then the same LlmResponse.
ChatMessage[] conversation =
[
    new(ChatRole.System, "You are terse."),
    new(ChatRole.User, "Streaming works too."),
];
await foreach (var update in llm.StreamAsync(conversation))
{
    if (update.IsFinal)
    {
        Console.WriteLine(update.Response!.Success ? $"\n  {update.Response.TokensUsed} tokens" : $"\n  failed: {update.Response.Error}");
    }
    else
    {
        Console.Write(update.Text);
    }
}

// Failures are values: a model the server does not have, and a server that is not there.
var missing = await llm.CompleteAsync("Anyone?", new LlmRequestOptions { Model = "no-such-model" });
Console.WriteLine($"{missing.ErrorKind}: {missing.Error}");

using var nowhere = LlmClient.Create(options with { BaseUrl = new Uri("http://127.0.0.1:9/v1") });
var unreachable = nowhere.Complete("Anyone?");
Console.WriteLine($"{unreachable.ErrorKind}: {unreachable.Error}");
