using System.Buffers;
using System.Globalization;
using System.IO.Pipelines;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Switchboard.LoadTest;

/// <summary>
/// A minimal OpenAI-compatible upstream on loopback: <c>POST /v1/chat/completions</c> answers a canned
/// completion, or with <c>"stream": true</c> a canned SSE stream of <see cref="ContentChunks"/> content
/// chunks, one write (and flush) per event, with no artificial delay. A request whose <c>user</c> is
/// <c>bench-paced</c> gets its content chunks <see cref="PacedDelayMs"/> ms apart, like a real model, so a
/// gateway that buffered the stream would show it in the time to first token.
/// </summary>
internal static class FastUpstream
{
    public const int ContentChunks = 20;
    public const int PacedDelayMs = 10;
    private const string Model = "gpt-4o-mini-2024-07-18";

    private static readonly byte[] Completion = Encoding.UTF8.GetBytes(
        "{\"id\":\"chatcmpl-bench0000000000000000000001\",\"object\":\"chat.completion\",\"created\":1763942400,\"model\":\"" + Model + "\"," +
        "\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"Hello! I can answer questions, draft and summarize text, help with code, plan trips and much more. What would you like to start with?\",\"refusal\":null},\"logprobs\":null,\"finish_reason\":\"stop\"}]," +
        "\"usage\":{\"prompt_tokens\":28,\"completion_tokens\":31,\"total_tokens\":59},\"system_fingerprint\":\"fp_bench\"}");

    private static readonly byte[][] Events = BuildEvents();
    private static readonly byte[] Done = "data: [DONE]\n\n"u8.ToArray();
    private static readonly byte[] Models = "{\"object\":\"list\",\"data\":[{\"id\":\"gpt-4o-mini\",\"object\":\"model\",\"created\":0,\"owned_by\":\"bench\"}]}"u8.ToArray();

    public static async Task<int> RunAsync(string host, int port)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls($"http://{host}:{port.ToString(CultureInfo.InvariantCulture)}");
        builder.WebHost.ConfigureKestrel(k => k.AddServerHeader = false);
        await using var app = builder.Build();
        app.MapPost("/v1/chat/completions", HandleChatAsync);
        app.MapPost("/chat/completions", HandleChatAsync);
        app.MapGet("/v1/models", static context =>
        {
            context.Response.ContentType = "application/json";
            context.Response.ContentLength = Models.Length;
            return context.Response.Body.WriteAsync(Models).AsTask();
        });
        await app.StartAsync();
        Console.WriteLine($"fast upstream listening on http://{host}:{port}");
        await app.WaitForShutdownAsync();
        return 0;
    }

    private static async Task HandleChatAsync(HttpContext context)
    {
        var (stream, paced) = await ReadFlagsAsync(context.Request.BodyReader);
        var response = context.Response;
        if (!stream)
        {
            response.ContentType = "application/json";
            response.ContentLength = Completion.Length;
            await response.Body.WriteAsync(Completion);
            return;
        }

        response.ContentType = "text/event-stream; charset=utf-8";
        response.Headers.CacheControl = "no-cache";
        var writer = response.BodyWriter;
        for (var i = 0; i < Events.Length; i++)
        {
            if (paced && i > 0 && i <= ContentChunks)
            {
                await Task.Delay(PacedDelayMs);
            }

            await writer.WriteAsync(Events[i]);
        }

        await writer.WriteAsync(Done);
    }

    /// <summary>Reads the whole body (as a real server must) and finds <c>"stream": true</c> and the paced marker.</summary>
    private static async Task<(bool Stream, bool Paced)> ReadFlagsAsync(PipeReader reader)
    {
        while (true)
        {
            var result = await reader.ReadAsync();
            if (result.IsCompleted)
            {
                var flags = Scan(result.Buffer);
                reader.AdvanceTo(result.Buffer.End);
                return flags;
            }

            reader.AdvanceTo(result.Buffer.Start, result.Buffer.End);
        }
    }

    private static (bool Stream, bool Paced) Scan(ReadOnlySequence<byte> buffer)
    {
        var body = buffer.IsSingleSegment ? buffer.FirstSpan : buffer.ToArray();
        return (IsTrue(body, "\"stream\""u8), body.IndexOf("\"bench-paced\""u8) >= 0);
    }

    private static bool IsTrue(ReadOnlySpan<byte> body, ReadOnlySpan<byte> key)
    {
        var at = body.IndexOf(key);
        if (at < 0)
        {
            return false;
        }

        var rest = body[(at + key.Length)..].TrimStart(" \t\r\n"u8);
        if (rest.IsEmpty || rest[0] != (byte)':')
        {
            return false;
        }

        return rest[1..].TrimStart(" \t\r\n"u8).StartsWith("true"u8);
    }

    private static byte[][] BuildEvents()
    {
        const string head = "data: {\"id\":\"chatcmpl-bench0000000000000000000001\",\"object\":\"chat.completion.chunk\",\"created\":1763942400,\"model\":\"" + Model + "\",\"system_fingerprint\":\"fp_bench\",\"choices\":[{\"index\":0,\"delta\":";
        var events = new List<byte[]>
        {
            Encoding.UTF8.GetBytes(head + "{\"role\":\"assistant\",\"content\":\"\",\"refusal\":null},\"logprobs\":null,\"finish_reason\":null}]}\n\n"),
        };
        for (var i = 0; i < ContentChunks; i++)
        {
            var token = i == 0 ? "Hello" : " token" + i.ToString(CultureInfo.InvariantCulture);
            events.Add(Encoding.UTF8.GetBytes(head + "{\"content\":\"" + token + "\"},\"logprobs\":null,\"finish_reason\":null}]}\n\n"));
        }

        events.Add(Encoding.UTF8.GetBytes(head + "{},\"logprobs\":null,\"finish_reason\":\"stop\"}]}\n\n"));
        return [.. events];
    }
}
