using System.IO.Compression;
using System.Text;

namespace Switchboard.Fuzz.Tests;

/// <summary>
/// Builds the hostile requests of a run from a seed: mutated JSON bodies (bytes flipped, cut, invalid UTF-8, lone
/// surrogates, wrong types, deep nesting, huge numbers), costly contents (long runs without spaces, amplifying
/// embedding requests), broken HTTP framing (chunk sizes, smuggling, lengths that lie), content types and
/// encodings, odd methods and paths. The same seed gives the same requests.
/// </summary>
public sealed class HostileCorpus(int seed)
{
    private static readonly string[] ChatSeeds =
    [
        """{"model":"MODEL","messages":[{"role":"user","content":"Hello there"}]}""",
        """{"model":"MODEL","stream":true,"stream_options":{"include_usage":true},"messages":[{"role":"system","content":"Be brief."},{"role":"user","content":"Hi"}]}""",
        """{"model":"MODEL","messages":[{"role":"user","content":[{"type":"text","text":"part one"},{"type":"text","text":"part two"}]}],"temperature":0.5,"top_p":1,"n":2,"stop":["x","y"],"max_tokens":50}""",
        """{"model":"MODEL","messages":[{"role":"user","content":"call it"}],"tools":[{"type":"function","function":{"name":"lookup","parameters":{"type":"object","properties":{"q":{"type":"string"}}}}}],"tool_choice":"auto"}""",
        """{"model":"MODEL","messages":[{"role":"user","content":"json"}],"response_format":{"type":"json_object"},"seed":7,"user":"u-1"}""",
        """{"model":"MODEL","messages":[{"role":"user","content":"q"},{"role":"assistant","content":null,"tool_calls":[{"id":"call_1","type":"function","function":{"name":"lookup","arguments":"{}"}}]},{"role":"tool","tool_call_id":"call_1","content":"42"}]}""",
    ];

    private static readonly string[] EmbeddingSeeds =
    [
        """{"model":"EMBED","input":"hello world"}""",
        """{"model":"EMBED","input":["first","second","third"],"encoding_format":"base64"}""",
        """{"model":"EMBED","input":[1,2,3,4],"dimensions":8}""",
        """{"model":"EMBED","input":[[1,2],[3,4]],"encoding_format":"float"}""",
    ];

    private static readonly string[] Strange =
    [
        "\\ud800", "\\udc00", "\\ud800\\u0041", "\\udbff\\udfff\\udc00", "\\u0000", "\\x41", "\\", "\\u12", "\u0000",
    ];

    private static readonly string[] Values =
    [
        "null", "true", "false", "0", "-1", "1e999999", "-1e999999", "123456789012345678901234567890", "0.0000001", "1.5", "\"\"", "\"x\"",
        "[]", "{}", "[null]", "[[]]", "{\"\":{}}", "\"\\ud800\"", "\"\\udc00x\"", "[\"\\ud800\"]", "{\"type\":\"\\ud800\"}", "{\"type\":5}", "-0", "2147483648", "-2147483649",
    ];

    private readonly Random _random = new(seed);

    /// <summary>The requests for one server, named for the failure report.</summary>
    /// <param name="chatModel">A chat model the server knows.</param>
    /// <param name="embeddingModel">An embedding model the server knows.</param>
    /// <param name="count">About how many requests to make.</param>
    public List<HostileCase> Build(string chatModel, string embeddingModel, int count)
    {
        var cases = new List<HostileCase>();
        cases.AddRange(CostlyBodies(chatModel, embeddingModel));
        cases.AddRange(Framing(chatModel));
        cases.AddRange(ContentTypesAndEncodings(chatModel));
        cases.AddRange(Routes());
        cases.AddRange(TypeConfusion(chatModel, embeddingModel));
        while (cases.Count < count)
        {
            var embeddings = _random.Next(4) == 0;
            var seeds = embeddings ? EmbeddingSeeds : ChatSeeds;
            var body = seeds[_random.Next(seeds.Length)].Replace("MODEL", chatModel, StringComparison.Ordinal).Replace("EMBED", embeddingModel, StringComparison.Ordinal);
            var (name, mutated) = Mutate(body);
            cases.Add(Post(embeddings ? "/v1/embeddings" : "/v1/chat/completions", $"mutation {cases.Count}: {name}", mutated));
        }

        return cases;
    }

    private static HostileCase Post(string path, string name, byte[] body, params (string, string)[] headers) =>
        new(name, RawHttp.Build("POST", path, headers.Length == 0 ? [("Content-Type", "application/json")] : headers, body));

    private static HostileCase Post(string path, string name, string body) => Post(path, name, Encoding.UTF8.GetBytes(body));

    private (string Name, byte[] Body) Mutate(string body)
    {
        var bytes = Encoding.UTF8.GetBytes(body);
        switch (_random.Next(9))
        {
            case 0:
                {
                    var at = _random.Next(bytes.Length);
                    return ($"cut at {at}", bytes[..at]);
                }

            case 1:
                {
                    var copy = (byte[])bytes.Clone();
                    for (var i = 0; i < 1 + _random.Next(4); i++)
                    {
                        copy[_random.Next(copy.Length)] = (byte)_random.Next(256);
                    }

                    return ("bytes flipped", copy);
                }

            case 2:
                {
                    // Invalid UTF-8 inside a string value.
                    var quote = body.IndexOf('"', body.IndexOf(':', StringComparison.Ordinal) + 1) + 1;
                    byte[][] bad = [[0xFF], [0xC0, 0x80], [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80], [0xE2, 0x82], [0x80]];
                    var insert = bad[_random.Next(bad.Length)];
                    var at = FindStringStart(body) ?? quote;
                    var prefix = Encoding.UTF8.GetBytes(body[..at]);
                    return ($"invalid UTF-8 {Convert.ToHexString(insert)}", [.. prefix, .. insert, .. Encoding.UTF8.GetBytes(body[at..])]);
                }

            case 3:
                {
                    var at = FindStringStart(body) ?? 0;
                    var strange = Strange[_random.Next(Strange.Length)];
                    return ($"escape {strange} in a string", Encoding.UTF8.GetBytes(body[..at] + strange + body[at..]));
                }

            case 4:
                {
                    // A value replaced by something of another kind.
                    var colons = AllIndexes(body, ':');
                    var colon = colons[_random.Next(colons.Count)];
                    var end = ValueEnd(body, colon + 1);
                    var value = Values[_random.Next(Values.Length)];
                    return ($"value after {body[Math.Max(0, colon - 15)..colon]} -> {value}", Encoding.UTF8.GetBytes(body[..(colon + 1)] + value + body[end..]));
                }

            case 5:
                {
                    var depth = _random.Next(3) switch { 0 => 65, 1 => 1000, _ => 50000 };
                    var colon = body.IndexOf(':', body.IndexOf("messages", StringComparison.Ordinal) is > 0 and var m ? m : 0);
                    var end = ValueEnd(body, colon + 1);
                    var nested = _random.Next(2) == 0 ? new string('[', depth) + new string(']', depth) : string.Concat(Enumerable.Repeat("{\"a\":", depth)) + "1" + new string('}', depth);
                    return ($"nested {depth} deep", Encoding.UTF8.GetBytes(body[..(colon + 1)] + nested + body[end..]));
                }

            case 6:
                {
                    var extra = _random.Next(3) switch
                    {
                        0 => ",\"model\":\"again\"",
                        1 => ",\"extra\":" + new string('9', 5000),
                        _ => ",\"" + new string('k', 10000) + "\":1",
                    };
                    return ("extra field", Encoding.UTF8.GetBytes(body[..^1] + extra + "}"));
                }

            case 7:
                {
                    var junk = new byte[_random.Next(1, 64)];
                    _random.NextBytes(junk);
                    return ("random bytes appended", [.. bytes, .. junk]);
                }

            default:
                {
                    var junk = new byte[_random.Next(1, 2048)];
                    _random.NextBytes(junk);
                    return ("random bytes", junk);
                }
        }
    }

    private int? FindStringStart(string body)
    {
        var quotes = AllIndexes(body, '"');
        // Every other quote opens a string; pick a value string (after a colon) when there is one.
        var starts = quotes.Where((_, i) => i % 2 == 0).Where(q => q > 0 && body[..q].TrimEnd().EndsWith(':')).ToList();
        return starts.Count == 0 ? null : starts[_random.Next(starts.Count)] + 1;
    }

    private static List<int> AllIndexes(string text, char c)
    {
        var result = new List<int>();
        for (var i = text.IndexOf(c, StringComparison.Ordinal); i >= 0; i = text.IndexOf(c, i + 1))
        {
            result.Add(i);
        }

        return result.Count == 0 ? [0] : result;
    }

    /// <summary>Where the JSON value starting at <paramref name="start"/> ends (a rough scan, good enough to replace it).</summary>
    private static int ValueEnd(string text, int start)
    {
        var depth = 0;
        var inString = false;
        for (var i = start; i < text.Length; i++)
        {
            var c = text[i];
            if (inString)
            {
                if (c == '\\')
                {
                    i++;
                }
                else if (c == '"')
                {
                    inString = false;
                    if (depth == 0)
                    {
                        return i + 1;
                    }
                }

                continue;
            }

            switch (c)
            {
                case '"':
                    inString = true;
                    break;
                case '[' or '{':
                    depth++;
                    break;
                case ']' or '}':
                    if (depth == 0)
                    {
                        return i;
                    }

                    depth--;
                    if (depth == 0)
                    {
                        return i + 1;
                    }

                    break;
                case ',' when depth == 0:
                    return i;
            }
        }

        return text.Length;
    }

    /// <summary>Bodies that cost the server far more than they cost the sender, when it is careless.</summary>
    private static IEnumerable<HostileCase> CostlyBodies(string chat, string embed)
    {
        string Chat(string content, string extra = "") => $$"""{"model":"{{chat}}"{{extra}},"messages":[{"role":"user","content":"{{content}}"}]}""";
        yield return Post("/v1/chat/completions", "400k letters without a space", Chat(new string('A', 400_000)));
        yield return Post("/v1/chat/completions", "400k letters without a space, streamed", Chat(new string('A', 400_000), ",\"stream\":true"));
        yield return Post("/v1/chat/completions", "200k spaces", Chat(new string(' ', 200_000)));
        yield return Post("/v1/chat/completions", "punctuation with newlines and slashes", Chat("!" + string.Concat(Enumerable.Repeat("\\n/", 100_000))));
        yield return Post("/v1/chat/completions", "1 MB of random letters", Chat(RandomLetters(1_000_000, 3)));
        yield return Post("/v1/chat/completions", "128 choices of 100 KB", Chat(new string('x', 100_000), ",\"n\":128"));
        yield return Post("/v1/chat/completions", "128 streamed choices of 100 KB", Chat(new string('x', 100_000), ",\"n\":128,\"stream\":true"));
        yield return Post("/v1/embeddings", "2048 inputs at 16384 dimensions", $$"""{"model":"{{embed}}","input":[{{string.Join(',', Enumerable.Repeat("\"hi\"", 2048))}}],"dimensions":16384}""");
        yield return Post("/v1/embeddings", "2048 inputs at the default size", $$"""{"model":"{{embed}}","input":[{{string.Join(',', Enumerable.Range(0, 2048).Select(i => $"\"text {i}\""))}}]}""");
        yield return Post("/v1/embeddings", "400k letters to embed", $$"""{"model":"{{embed}}","input":"{{new string('B', 400_000)}}"}""");
        yield return Post("/v1/embeddings", "2048 token arrays of 1000", $$"""{"model":"{{embed}}","input":[{{string.Join(',', Enumerable.Repeat("[" + string.Join(',', Enumerable.Repeat("1", 1000)) + "]", 2048))}}]}""");
        yield return Post("/v1/chat/completions", "a 17 MB body", Chat(new string('x', 17 * 1024 * 1024)));
    }

    private static string RandomLetters(int length, int seed)
    {
        var random = new Random(seed);
        var chars = new char[length];
        for (var i = 0; i < length; i++)
        {
            chars[i] = (char)('a' + random.Next(26));
        }

        return new string(chars);
    }

    /// <summary>HTTP framing that lies or breaks: what a proxy, a smuggler or a broken client sends.</summary>
    private static IEnumerable<HostileCase> Framing(string chat)
    {
        var json = $$"""{"model":"{{chat}}","messages":[{"role":"user","content":"hi"}]}""";
        var head = "POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nContent-Type: application/json\r\n";
        HostileCase Raw(string name, string text, bool halfClose = false, bool mayClose = false) =>
            new(name, Encoding.Latin1.GetBytes(text)) { HalfClose = halfClose, MayClose = mayClose };

        foreach (var size in new[] { "ffffffffffffffffffff", "-1", "zz", "0x10", "7fffffff", "80000000", "1;ext=\"x\"", " 5", "5 ", "" })
        {
            yield return Raw($"chunk size '{size}'", head + "Transfer-Encoding: chunked\r\n\r\n" + size + "\r\nhello\r\n0\r\n\r\n");
        }

        yield return Raw("chunked body cut short", head + "Transfer-Encoding: chunked\r\n\r\n40\r\n{\"model\":", halfClose: true, mayClose: true);
        yield return Raw("chunked body that stops", head + "Transfer-Encoding: chunked\r\n\r\n40\r\n{\"model\":");
        yield return Raw("chunk without its line end", head + "Transfer-Encoding: chunked\r\n\r\n5\r\nhelloXX0\r\n\r\n");
        yield return Raw("content-length longer than the body", head + "Content-Length: 1000\r\n\r\n" + json);
        yield return Raw("content-length longer than the body, then the end", head + "Content-Length: 1000\r\n\r\n" + json, halfClose: true, mayClose: true);
        yield return Raw("content-length shorter than the body", head + $"Content-Length: {json.Length / 2}\r\n\r\n" + json);
        yield return Raw("content-length and chunked", head + $"Content-Length: {json.Length}\r\nTransfer-Encoding: chunked\r\n\r\n" + json, mayClose: true);
        yield return Raw("two content-lengths", head + $"Content-Length: {json.Length}\r\nContent-Length: 3\r\n\r\n" + json, mayClose: true);
        yield return Raw("negative content-length", head + "Content-Length: -5\r\n\r\n" + json, mayClose: true);
        yield return Raw("huge content-length", head + "Content-Length: 99999999999999999999\r\n\r\n" + json, mayClose: true);
        yield return Raw("transfer-encoding gzip, chunked", head + "Transfer-Encoding: gzip, chunked\r\n\r\n" + json, mayClose: true);
        yield return Raw("transfer-encoding with a space", head + "Transfer-Encoding : chunked\r\n\r\n0\r\n\r\n", mayClose: true);
        yield return Raw("smuggled second request", head + "Content-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nGET /health HTTP/1.1\r\nHost: x\r\n\r\n", mayClose: true);
        yield return Raw("header with a bare LF", "POST /v1/chat/completions HTTP/1.1\nHost: x\nContent-Length: 2\n\n{}", mayClose: true);
        yield return Raw("header name with a space", head + "Bad Header: x\r\nContent-Length: 2\r\n\r\n{}", mayClose: true);
        yield return Raw("header value with NUL", head + "X-Thing: a\0b\r\nContent-Length: 2\r\n\r\n{}", mayClose: true);
        yield return Raw("64 KB header", head + "X-Big: " + new string('a', 64 * 1024) + "\r\nContent-Length: 2\r\n\r\n{}", mayClose: true);
        yield return Raw("500 headers", head + string.Concat(Enumerable.Range(0, 500).Select(i => $"X-H{i}: v\r\n")) + "Content-Length: 2\r\n\r\n{}", mayClose: true);
        yield return Raw("HTTP/1.0 without host", "POST /v1/chat/completions HTTP/1.0\r\nContent-Type: application/json\r\nContent-Length: " + json.Length + "\r\n\r\n" + json);
        yield return Raw("HTTP/2.0 on an HTTP/1 socket", "POST /v1/chat/completions HTTP/2.0\r\nHost: x\r\n\r\n", mayClose: true);
        yield return Raw("HTTP/9.9", "GET /health HTTP/9.9\r\nHost: x\r\n\r\n", mayClose: true);
        yield return Raw("no version", "GET /health\r\n\r\n", mayClose: true);
        yield return Raw("binary garbage", "\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03garbage", mayClose: true);
        yield return Raw("absolute-form target", "GET http://evil.example/health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n", mayClose: true);
        yield return Raw("expect 100-continue", head + "Expect: 100-continue\r\nContent-Length: " + json.Length + "\r\n\r\n" + json);
        yield return Raw("expect something else", head + "Expect: 200-ok\r\nContent-Length: " + json.Length + "\r\n\r\n" + json, mayClose: true);
        yield return Raw("pipelined requests", string.Concat(Enumerable.Repeat("GET /health HTTP/1.1\r\nHost: x\r\n\r\n", 50)) + "GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
        yield return Raw("empty request", string.Empty, halfClose: true, mayClose: true);
        yield return Raw("request line only, then close", "POST /v1/chat/completions HTTP/1.1\r\n", halfClose: true, mayClose: true);
        yield return Raw("8 KB path", "GET /" + new string('a', 8 * 1024) + " HTTP/1.1\r\nHost: x\r\n\r\n", mayClose: true);
        yield return Raw("100 KB path", "GET /" + new string('a', 100 * 1024) + " HTTP/1.1\r\nHost: x\r\n\r\n", mayClose: true);
        yield return Raw("upgrade to websocket", "GET /v1/chat/completions HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n", mayClose: true);
        yield return Raw("h2c upgrade", "GET /health HTTP/1.1\r\nHost: x\r\nConnection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\nHTTP2-Settings: AAMAAABkAAQAAP__\r\n\r\n", mayClose: true);
        yield return Raw("HTTP/2 preface", "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", mayClose: true);
    }

    /// <summary>Hostile fixtures for the mock's admin API: each must be refused with a 4xx, none may cost the server its memory or stack.</summary>
    public static IEnumerable<HostileCase> AdminFixtures()
    {
        HostileCase Admin(string name, string body) => Post("/__admin/fixtures", name, Encoding.UTF8.GetBytes(body), ("Content-Type", "application/yaml")) with { MustRefuse = true };

        // The 690-byte bomb of the issue: nine levels of nine aliases, 387 million scalars once expanded.
        var bomb = new StringBuilder("- name: bomb\n  description:\n    - &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
        for (var i = 1; i < 9; i++)
        {
            bomb.Append("    - &a").Append(i).Append(" [").Append(string.Join(", ", Enumerable.Repeat($"*a{i - 1}", 9))).Append("]\n");
        }

        bomb.Append("  match: { last_user: bomb }\n  response: { body: { x: *a8 } }\n");
        yield return Admin("alias bomb", bomb.ToString());
        yield return Admin("recursive alias", "- name: loop\n  description: &x [a, *x]\n  response: x\n");
        yield return Admin("100,000 levels of nesting", "- name: deep\n  description: " + new string('[', 100_000) + new string(']', 100_000) + "\n");
        yield return Admin("100,000 levels of JSON nesting", string.Concat(Enumerable.Repeat("{\"a\":", 100_000)) + "1" + new string('}', 100_000));
        yield return Admin("a header with a line break", "- match: { last_user: hi }\n  response:\n    content: x\n    headers: { x-trace: \"a\\r\\nSet-Cookie: y\" }\n");
        yield return Admin("a 9 MB fixture", "- response: \"" + new string('x', 9 * 1024 * 1024) + "\"\n");
        yield return Admin("broken YAML", "- match: { last_user: [unclosed\n");
        yield return Admin("a regex that never ends", "- match: { last_user: { regex: '(a+)+$' } }\n  response: x\n- match: { last_user: { regex: '(' } }\n  response: y\n");
    }

    private static IEnumerable<HostileCase> ContentTypesAndEncodings(string chat)
    {
        var json = Encoding.UTF8.GetBytes($$"""{"model":"{{chat}}","messages":[{"role":"user","content":"hi"}]}""");
        foreach (var type in new[] { "text/plain", "application/xml", "garbage", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "application/json; charset=utf-16", "application/json; charset=latin1", "application/jsonx", "application/vnd.api+json", "*/*", ";;;", "application/json; charset=\"", string.Empty })
        {
            yield return Post("/v1/chat/completions", $"content type '{type}'", json, ("Content-Type", type));
        }

        yield return new HostileCase("no content type", RawHttp.Build("POST", "/v1/chat/completions", [], json));
        yield return Post("/v1/chat/completions", "gzip", Gzip(json), ("Content-Type", "application/json"), ("Content-Encoding", "gzip"));
        yield return Post("/v1/chat/completions", "gzip that is not gzip", json, ("Content-Type", "application/json"), ("Content-Encoding", "gzip"));
        yield return Post("/v1/chat/completions", "gzip cut short", Gzip(json)[..10], ("Content-Type", "application/json"), ("Content-Encoding", "gzip"));
        yield return Post("/v1/chat/completions", "gzip of 256 MB of zeros", GzipZeros(256L * 1024 * 1024), ("Content-Type", "application/json"), ("Content-Encoding", "gzip"));
        yield return Post("/v1/chat/completions", "deflate", Deflate(json), ("Content-Type", "application/json"), ("Content-Encoding", "deflate"));
        yield return Post("/v1/chat/completions", "brotli", Brotli(json), ("Content-Type", "application/json"), ("Content-Encoding", "br"));
        yield return Post("/v1/chat/completions", "unknown encoding", json, ("Content-Type", "application/json"), ("Content-Encoding", "zstd"));
        yield return Post("/v1/chat/completions", "gzip twice", Gzip(Gzip(json)), ("Content-Type", "application/json"), ("Content-Encoding", "gzip, gzip"));
        yield return Post("/v1/chat/completions", "UTF-16 body", Encoding.Unicode.GetBytes(Encoding.UTF8.GetString(json)), ("Content-Type", "application/json"));
        yield return Post("/v1/chat/completions", "UTF-8 byte order mark", [0xEF, 0xBB, 0xBF, .. json], ("Content-Type", "application/json"));
    }

    private static byte[] Gzip(byte[] data)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Fastest))
        {
            gzip.Write(data);
        }

        return output.ToArray();
    }

    private static byte[] GzipZeros(long length)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Fastest))
        {
            var zeros = new byte[1024 * 1024];
            for (long written = 0; written < length; written += zeros.Length)
            {
                gzip.Write(zeros);
            }
        }

        return output.ToArray();
    }

    private static byte[] Deflate(byte[] data)
    {
        using var output = new MemoryStream();
        using (var deflate = new ZLibStream(output, CompressionLevel.Fastest))
        {
            deflate.Write(data);
        }

        return output.ToArray();
    }

    private static byte[] Brotli(byte[] data)
    {
        using var output = new MemoryStream();
        using (var brotli = new BrotliStream(output, CompressionLevel.Fastest))
        {
            brotli.Write(data);
        }

        return output.ToArray();
    }

    private static IEnumerable<HostileCase> Routes()
    {
        foreach (var method in new[] { "GET", "PUT", "DELETE", "PATCH", "OPTIONS", "TRACE", "CONNECT", "FOO", "HEAD" })
        {
            foreach (var path in new[] { "/v1/chat/completions", "/v1/embeddings", "/v1/models", "/health", "/v1/models/%00", "/v1/models/" + Uri.EscapeDataString("\ud83d\ude00"), "/v1/models/..%2f..%2fetc%2fpasswd", "/%ff%fe", "/v1/models/" + new string('m', 4000), "/__admin/fixtures", "/__admin/requests" })
            {
                var target = method == "CONNECT" ? "127.0.0.1:80" : path;
                yield return new HostileCase($"{method} {path[..Math.Min(path.Length, 40)]}", RawHttp.Build(method, target, [], method is "PUT" or "PATCH" ? "{}"u8.ToArray() : null)) { MayClose = method is "CONNECT" };
            }
        }
    }

    /// <summary>Each parameter of each endpoint given each kind of wrong value.</summary>
    private static IEnumerable<HostileCase> TypeConfusion(string chat, string embed)
    {
        string[] chatParams = ["model", "messages", "temperature", "top_p", "n", "stream", "stop", "max_tokens", "max_completion_tokens", "presence_penalty", "frequency_penalty", "logit_bias", "logprobs", "top_logprobs", "user", "tools", "tool_choice", "response_format", "seed", "stream_options", "parallel_tool_calls"];
        foreach (var param in chatParams)
        {
            foreach (var value in Values)
            {
                var body = param is "model" or "messages"
                    ? (param == "model" ? $$"""{"model":{{value}},"messages":[{"role":"user","content":"hi"}]}""" : $$"""{"model":"{{chat}}","messages":{{value}}}""")
                    : $$"""{"model":"{{chat}}","messages":[{"role":"user","content":"hi"}],"{{param}}":{{value}}}""";
                yield return Post("/v1/chat/completions", $"{param}={value}", body);
            }
        }

        string[] messageFields = ["role", "content", "name", "tool_calls", "tool_call_id"];
        foreach (var field in messageFields)
        {
            foreach (var value in Values)
            {
                yield return Post("/v1/chat/completions", $"messages[0].{field}={value}", $$"""{"model":"{{chat}}","messages":[{"role":"user","content":"hi","{{field}}":{{value}}}]}""");
            }
        }

        foreach (var param in new[] { "model", "input", "dimensions", "encoding_format", "user" })
        {
            foreach (var value in Values)
            {
                var body = param == "model"
                    ? $$"""{"model":{{value}},"input":"x"}"""
                    : $$"""{"model":"{{embed}}","input":"x","{{param}}":{{value}}}""".Replace("\"input\":\"x\",\"input\"", "\"input\"", StringComparison.Ordinal);
                yield return Post("/v1/embeddings", $"embeddings {param}={value}", body);
            }
        }
    }
}
