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
}
