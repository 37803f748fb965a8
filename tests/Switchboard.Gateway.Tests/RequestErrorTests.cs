using System.Net;
using System.Text;
using Switchboard.Gateway.Tests.Infrastructure;

namespace Switchboard.Gateway.Tests;

/// <summary>Every client mistake gets a clear OpenAI-shaped 4xx naming the parameter, never a 500.</summary>
public sealed class RequestErrorTests : EmbeddedGatewayTest
{
    private Task<HttpResponseMessage> PostChatAsync(string json) =>
        Gateway.Http.PostAsync("/v1/chat/completions", new StringContent(json, Encoding.UTF8, "application/json"), TestContext.Current.CancellationToken);

    [Fact]
    public async Task MalformedJsonIs400InvalidJson()
    {
        using var response = await PostChatAsync("{\"model\": \"mock-echo\", \"messages\": [");
        var error = await ErrorAssert.IsOpenAIErrorAsync(response, HttpStatusCode.BadRequest, code: "invalid_json");
        Assert.Contains("line 1", error.GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task EmptyBodyIs400()
    {
        using var response = await PostChatAsync(string.Empty);
        await ErrorAssert.IsOpenAIErrorAsync(response, HttpStatusCode.BadRequest, code: "invalid_json");
    }

    [Fact]
    public async Task BodyThatIsNotAnObjectIs400()
    {
        using var response = await PostChatAsync("[1,2,3]");
        await ErrorAssert.IsOpenAIErrorAsync(response, HttpStatusCode.BadRequest);
    }

    [Theory]
    [InlineData("{\"model\": \"mock-echo\"}", "messages", "missing_required_parameter")]
    [InlineData("{\"messages\": [{\"role\": \"user\", \"content\": \"hi\"}]}", "model", "missing_required_parameter")]
    [InlineData("{\"model\": \"mock-echo\", \"messages\": \"hello\"}", "messages", "invalid_type")]
    [InlineData("{\"model\": \"mock-echo\", \"temperature\": \"hot\", \"messages\": [{\"role\": \"user\", \"content\": \"hi\"}]}", "temperature", "invalid_type")]
    [InlineData("{\"model\": \"mock-echo\", \"temperature\": 3, \"messages\": [{\"role\": \"user\", \"content\": \"hi\"}]}", "temperature", "invalid_value")]
    [InlineData("{\"model\": \"mock-echo\", \"messages\": [{\"role\": \"user\", \"content\": \"hi\"}, {\"role\": \"robot\", \"content\": \"x\"}]}", "messages[1].role", "invalid_value")]
    [InlineData("{\"model\": \"mock-echo\", \"messages\": [{\"role\": \"user\"}]}", "messages[0].content", "missing_required_parameter")]
    [InlineData("{\"model\": \"mock-echo\", \"messages\": [{\"role\": \"user\", \"content\": 42}]}", "messages[0].content", "invalid_type")]
    [InlineData("{\"model\": \"mock-echo\", \"stream_options\": {\"include_usage\": true}, \"messages\": [{\"role\": \"user\", \"content\": \"hi\"}]}", "stream_options", "invalid_value")]
    [InlineData("{\"model\": \"mock-echo\", \"tools\": [{\"type\": \"function\", \"function\": {}}], \"messages\": [{\"role\": \"user\", \"content\": \"hi\"}]}", "tools[0].function.name", "missing_required_parameter")]
    public async Task BadChatRequestsAre400NamingTheParameter(string json, string param, string code)
    {
        using var response = await PostChatAsync(json);
        await ErrorAssert.IsOpenAIErrorAsync(response, HttpStatusCode.BadRequest, param: param, code: code);
    }

    [Fact]
    public async Task OverlongModelNameIs400()
    {
        using var response = await PostChatAsync("{\"model\": \"" + new string('m', 300) + "\", \"messages\": [{\"role\": \"user\", \"content\": \"hi\"}]}");
        await ErrorAssert.IsOpenAIErrorAsync(response, HttpStatusCode.BadRequest, param: "model");
    }

    [Theory]
    [InlineData("{\"model\": \"mock-embedding\", \"input\": \"x\", \"dimensions\": 100000000}", "dimensions")]
    [InlineData("{\"model\": \"mock-embedding\", \"input\": \"x\", \"dimensions\": 0}", "dimensions")]
    [InlineData("{\"model\": \"mock-embedding\", \"input\": \"x\", \"encoding_format\": \"hex\"}", "encoding_format")]
    [InlineData("{\"model\": \"mock-embedding\", \"input\": [\"\"]}", "input")]
    [InlineData("{\"model\": \"mock-embedding\", \"input\": {}}", "input")]
    public async Task BadEmbeddingRequestsAre400NamingTheParameter(string json, string param)
    {
        using var response = await Gateway.Http.PostAsync("/v1/embeddings", new StringContent(json, Encoding.UTF8, "application/json"), TestContext.Current.CancellationToken);
        await ErrorAssert.IsOpenAIErrorAsync(response, HttpStatusCode.BadRequest, param: param);
    }

    [Fact]
    public async Task TooManyEmbeddingInputsIs400()
    {
        var inputs = string.Join(',', Enumerable.Repeat("\"x\"", 2049));
        using var response = await Gateway.Http.PostAsync("/v1/embeddings", new StringContent("{\"model\": \"mock-embedding\", \"input\": [" + inputs + "]}", Encoding.UTF8, "application/json"), TestContext.Current.CancellationToken);
        await ErrorAssert.IsOpenAIErrorAsync(response, HttpStatusCode.BadRequest, param: "input");
    }

    [Fact]
    public async Task UnknownModelIs404ModelNotFound()
    {
        using var response = await PostChatAsync("{\"model\": \"gpt-17\", \"messages\": [{\"role\": \"user\", \"content\": \"hi\"}]}");
        var error = await ErrorAssert.IsOpenAIErrorAsync(response, HttpStatusCode.NotFound, param: "model", code: "model_not_found");
        Assert.Contains("gpt-17", error.GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task OversizedBodyIs413()
    {
        var huge = new string('x', 17 * 1024 * 1024);
        using var response = await PostChatAsync("{\"model\": \"mock-echo\", \"messages\": [{\"role\": \"user\", \"content\": \"" + huge + "\"}]}");
        await ErrorAssert.IsOpenAIErrorAsync(response, HttpStatusCode.RequestEntityTooLarge, code: "request_too_large");
    }

    [Fact]
    public async Task OversizedChunkedBodyIs413()
    {
        var huge = new string('x', 17 * 1024 * 1024);
        using var content = new StringContent("{\"model\": \"mock-echo\", \"messages\": [{\"role\": \"user\", \"content\": \"" + huge + "\"}]}", Encoding.UTF8, "application/json");
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions") { Content = content };
        request.Headers.TransferEncodingChunked = true;
        using var response = await Gateway.Http.SendAsync(request, TestContext.Current.CancellationToken);
        await ErrorAssert.IsOpenAIErrorAsync(response, HttpStatusCode.RequestEntityTooLarge);
    }

    [Fact]
    public async Task EmbeddingsWithoutInputIs400NamingInput()
    {
        using var response = await Gateway.Http.PostAsync("/v1/embeddings", new StringContent("{\"model\": \"mock-embedding\"}", Encoding.UTF8, "application/json"), TestContext.Current.CancellationToken);
        await ErrorAssert.IsOpenAIErrorAsync(response, HttpStatusCode.BadRequest, param: "input");
    }

    [Fact]
    public async Task EmbeddingsForUnknownModelIs404()
    {
        using var response = await Gateway.Http.PostAsync("/v1/embeddings", new StringContent("{\"model\": \"nope\", \"input\": \"x\"}", Encoding.UTF8, "application/json"), TestContext.Current.CancellationToken);
        await ErrorAssert.IsOpenAIErrorAsync(response, HttpStatusCode.NotFound, code: "model_not_found");
    }

    [Fact]
    public async Task UnknownModelIdIs404()
    {
        using var response = await Gateway.Http.GetAsync("/v1/models/gpt-17", TestContext.Current.CancellationToken);
        await ErrorAssert.IsOpenAIErrorAsync(response, HttpStatusCode.NotFound, code: "model_not_found");
    }

    [Fact]
    public async Task UnknownRouteIs404InOpenAIShape()
    {
        using var response = await Gateway.Http.GetAsync("/v1/nothing-here", TestContext.Current.CancellationToken);
        await ErrorAssert.IsOpenAIErrorAsync(response, HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task WrongMethodIs405InOpenAIShape()
    {
        using var response = await Gateway.Http.GetAsync("/v1/chat/completions", TestContext.Current.CancellationToken);
        await ErrorAssert.IsOpenAIErrorAsync(response, HttpStatusCode.MethodNotAllowed);
    }

    [Theory]
    [InlineData("/v1/embeddings", "{\"model\": \"mock-embedding\", \"input\": \"\\ud800\"}")]
    [InlineData("/v1/embeddings", "{\"model\": \"mock-embedding\", \"input\": [\"ok\", \"\\udc00x\"]}")]
    [InlineData("/v1/chat/completions", "{\"model\": \"mock-echo\", \"tool_choice\": \"\\udc00\", \"messages\": [{\"role\": \"user\", \"content\": \"hi\"}]}")]
    [InlineData("/v1/chat/completions", "{\"model\": \"mock-echo\", \"response_format\": {\"type\": \"\\ud800\"}, \"messages\": [{\"role\": \"user\", \"content\": \"hi\"}]}")]
    [InlineData("/v1/chat/completions", "{\"model\": \"mock-echo\", \"stop\": [\"\\ud800\"], \"messages\": [{\"role\": \"user\", \"content\": \"hi\"}]}")]
    [InlineData("/v1/chat/completions", "{\"model\": \"mock-echo\", \"logit_bias\": \"\\ud800\", \"messages\": [{\"role\": \"user\", \"content\": \"hi\"}]}")]
    [InlineData("/v1/chat/completions", "{\"model\": \"mock-echo\", \"messages\": [{\"role\": \"user\", \"content\": \"\\udc00\"}]}")]
    public async Task LoneSurrogateEscapesAre400InvalidJson(string path, string json)
    {
        using var response = await Gateway.Http.PostAsync(path, new StringContent(json, Encoding.UTF8, "application/json"), TestContext.Current.CancellationToken);
        var error = await ErrorAssert.IsOpenAIErrorAsync(response, HttpStatusCode.BadRequest, code: "invalid_json");
        Assert.Contains("surrogate", error.GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task EscapedSurrogatePairsAreAccepted()
    {
        using var response = await PostChatAsync("{\"model\": \"mock-echo\", \"messages\": [{\"role\": \"user\", \"content\": \"\\ud83d\\ude00 and \\\\ud800 as text\"}]}");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var answer = System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        Assert.Equal("\ud83d\ude00 and \\ud800 as text", answer.RootElement.GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString());
    }

    [Theory]
    [InlineData("/v1/embeddings", "{\"model\": \"mock-embedding\", \"input\": \"A\u00FFB\"}")]
    [InlineData("/v1/chat/completions", "{\"model\": \"mock-echo\", \"tool_choice\": \"\xC0\x80\", \"messages\": [{\"role\": \"user\", \"content\": \"hi\"}]}")]
    [InlineData("/v1/chat/completions", "{\"model\": \"mock-echo\", \"messages\": [{\"role\": \"user\", \"content\": \"\xED\xA0\x80\"}]}")]
    public async Task InvalidUtf8Is400InvalidJson(string path, string latin1)
    {
        using var content = new ByteArrayContent(Encoding.Latin1.GetBytes(latin1));
        content.Headers.ContentType = new("application/json");
        using var response = await Gateway.Http.PostAsync(path, content, TestContext.Current.CancellationToken);
        var error = await ErrorAssert.IsOpenAIErrorAsync(response, HttpStatusCode.BadRequest, code: "invalid_json");
        Assert.Contains("UTF-8", error.GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("{\"model\": \"mock-echo\", \"messages\": [{\"role\": \"assistant\", \"content\": null, \"tool_calls\": [null]}, {\"role\": \"user\", \"content\": \"hi\"}]}", "messages[0].tool_calls[0]")]
    [InlineData("{\"model\": \"mock-echo\", \"messages\": [{\"role\": \"user\", \"content\": [null]}]}", "messages[0].content[0]")]
    public async Task NullListItemsAre400NamingThem(string json, string param)
    {
        using var response = await PostChatAsync(json);
        await ErrorAssert.IsOpenAIErrorAsync(response, HttpStatusCode.BadRequest, param: param);
    }

    [Theory]
    [InlineData("ffffffffffffffffffff")]
    [InlineData("80000000")]
    [InlineData("zz")]
    public async Task BrokenChunkSizeIs400(string size)
    {
        var endpoint = new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, new Uri(Gateway.BaseUrl).Port);
        var request = Encoding.ASCII.GetBytes(
            "POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
            + size + "\r\nhello\r\n0\r\n\r\n");

        var response = await RawHttp.ExchangeAsync(endpoint, request, halfClose: false, TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);

        Assert.Equal(RawOutcome.Answered, response.Outcome);
        Assert.Equal(400, response.Status);
        using var document = System.Text.Json.JsonDocument.Parse(response.Body);
        Assert.Equal("invalid_request_error", document.RootElement.GetProperty("error").GetProperty("type").GetString());
    }

    [Theory]
    [InlineData("text/plain")]
    [InlineData("application/xml")]
    [InlineData("garbage")]
    [InlineData("application/x-www-form-urlencoded")]
    [InlineData("application/json; charset=utf-16")]
    public async Task BodyThatIsNotJsonByTypeIs415(string contentType)
    {
        using var content = new ByteArrayContent("{\"model\": \"mock-echo\", \"messages\": [{\"role\": \"user\", \"content\": \"hi\"}]}"u8.ToArray());
        content.Headers.TryAddWithoutValidation("Content-Type", contentType);
        using var response = await Gateway.Http.PostAsync("/v1/chat/completions", content, TestContext.Current.CancellationToken);
        await ErrorAssert.IsOpenAIErrorAsync(response, HttpStatusCode.UnsupportedMediaType, code: "unsupported_media_type");
    }

    [Theory]
    [InlineData("application/json")]
    [InlineData("application/json; charset=utf-8")]
    [InlineData("Application/JSON;charset=\"UTF-8\"")]
    [InlineData("application/vnd.openai+json")]
    public async Task JsonContentTypesAreAccepted(string contentType)
    {
        using var content = new ByteArrayContent("{\"model\": \"mock-echo\", \"messages\": [{\"role\": \"user\", \"content\": \"hi\"}]}"u8.ToArray());
        content.Headers.TryAddWithoutValidation("Content-Type", contentType);
        using var response = await Gateway.Http.PostAsync("/v1/chat/completions", content, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task GzipBodiesAreDecoded()
    {
        using var response = await PostEncodedAsync("gzip", Gzip("{\"model\": \"mock-echo\", \"messages\": [{\"role\": \"user\", \"content\": \"squeezed\"}]}"u8.ToArray()));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("squeezed", await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), StringComparison.Ordinal);
    }

    [Fact]
    public async Task GzipBombIs413()
    {
        // 64 MB of zeros, a few tens of kilobytes on the wire: the decoded size counts against the body limit.
        using var response = await PostEncodedAsync("gzip", Gzip(new byte[64 * 1024 * 1024]));
        await ErrorAssert.IsOpenAIErrorAsync(response, HttpStatusCode.RequestEntityTooLarge);
    }

    [Fact]
    public async Task CorruptGzipIs400()
    {
        using var response = await PostEncodedAsync("gzip", "{\"model\": \"mock-echo\"}"u8.ToArray());
        await ErrorAssert.IsOpenAIErrorAsync(response, HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task UnknownContentEncodingIs415()
    {
        using var response = await PostEncodedAsync("zstd", "{\"model\": \"mock-echo\", \"messages\": [{\"role\": \"user\", \"content\": \"hi\"}]}"u8.ToArray());
        await ErrorAssert.IsOpenAIErrorAsync(response, HttpStatusCode.UnsupportedMediaType);
    }

    private Task<HttpResponseMessage> PostEncodedAsync(string encoding, byte[] body)
    {
        var content = new ByteArrayContent(body);
        content.Headers.ContentType = new("application/json");
        content.Headers.ContentEncoding.Add(encoding);
        return Gateway.Http.PostAsync("/v1/chat/completions", content, TestContext.Current.CancellationToken);
    }

    private static byte[] Gzip(byte[] data)
    {
        using var output = new MemoryStream();
        using (var gzip = new System.IO.Compression.GZipStream(output, System.IO.Compression.CompressionLevel.Fastest))
        {
            gzip.Write(data);
        }

        return output.ToArray();
    }

    [Fact]
    public async Task MalformedChunkedRequestLogsNoStackTrace()
    {
        var logs = new LogCapture();
        await using var gateway = await TestGateway.StartAsync(logs: logs);
        var endpoint = new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, new Uri(gateway.BaseUrl).Port);
        var request = Encoding.ASCII.GetBytes(
            "POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n");

        var response = await RawHttp.ExchangeAsync(endpoint, request, halfClose: false, TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);

        Assert.Equal(400, response.Status);
        var loud = logs.Entries.Where(e => e.Level >= Microsoft.Extensions.Logging.LogLevel.Information).ToList();
        Assert.All(loud, e => Assert.Null(e.Exception));
        Assert.All(loud, e => Assert.DoesNotContain("   at ", e.Message, StringComparison.Ordinal));
        Assert.True(loud.Count(e => e.Message.Contains("chunk", StringComparison.OrdinalIgnoreCase)) <= 1);
    }

    [Fact]
    public async Task EmbeddingAnswerOfHundredsOfMegabytesIs400NamingDimensions()
    {
        var inputs = string.Join(',', Enumerable.Repeat("\"hi\"", 2048));
        using var response = await Gateway.Http.PostAsync("/v1/embeddings", new StringContent("{\"model\": \"mock-embedding\", \"input\": [" + inputs + "], \"dimensions\": 16384}", Encoding.UTF8, "application/json"), TestContext.Current.CancellationToken);
        await ErrorAssert.IsOpenAIErrorAsync(response, HttpStatusCode.BadRequest, param: "dimensions");
    }

    // Counting went to the tokenizer's quadratic merge at once: minutes of CPU each. The guard is the test's timeout.
    [Theory(Timeout = 120_000)]
    [InlineData("/v1/chat/completions", "{\"model\": \"mock-echo\", \"messages\": [{\"role\": \"user\", \"content\": \"RUN\"}]}")]
    [InlineData("/v1/chat/completions", "{\"model\": \"mock-echo\", \"stream\": true, \"messages\": [{\"role\": \"user\", \"content\": \"RUN\"}]}")]
    [InlineData("/v1/embeddings", "{\"model\": \"mock-embedding\", \"input\": \"RUN\"}")]
    public async Task LongRunsWithoutSpacesAreAnswered(string path, string json)
    {
        var body = json.Replace("RUN", new string('A', 400_000), StringComparison.Ordinal);
        using var response = await Gateway.Http.PostAsync(path, new StringContent(body, Encoding.UTF8, "application/json"), TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains(path.EndsWith("embeddings", StringComparison.Ordinal) ? "\"embedding\"" : "AAAA", await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), StringComparison.Ordinal);
    }
}
