using System.Net;
using System.Text;
using Switchboard.Gateway.Tests.Infrastructure;

namespace Switchboard.Gateway.Tests;

/// <summary>Every client mistake gets a clear OpenAI-shaped 4xx naming the parameter, never a 500.</summary>
public sealed class RequestErrorTests : IAsyncLifetime
{
    private TestGateway _gateway = null!;

    public async ValueTask InitializeAsync() => _gateway = await TestGateway.StartAsync();

    public async ValueTask DisposeAsync() => await _gateway.DisposeAsync();

    private Task<HttpResponseMessage> PostChatAsync(string json) =>
        _gateway.Http.PostAsync("/v1/chat/completions", new StringContent(json, Encoding.UTF8, "application/json"), TestContext.Current.CancellationToken);

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

    [Fact]
    public async Task MissingMessagesIs400NamingMessages()
    {
        using var response = await PostChatAsync("{\"model\": \"mock-echo\"}");
        await ErrorAssert.IsOpenAIErrorAsync(response, HttpStatusCode.BadRequest, param: "messages", code: "missing_required_parameter");
    }

    [Fact]
    public async Task MissingModelIs400NamingModel()
    {
        using var response = await PostChatAsync("{\"messages\": [{\"role\": \"user\", \"content\": \"hi\"}]}");
        await ErrorAssert.IsOpenAIErrorAsync(response, HttpStatusCode.BadRequest, param: "model");
    }

    [Fact]
    public async Task MessagesOfTheWrongTypeIs400NamingMessages()
    {
        using var response = await PostChatAsync("{\"model\": \"mock-echo\", \"messages\": \"hello\"}");
        var error = await ErrorAssert.IsOpenAIErrorAsync(response, HttpStatusCode.BadRequest, param: "messages", code: "invalid_type");
        Assert.Contains("array", error.GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task TemperatureOfTheWrongTypeIs400NamingTemperature()
    {
        using var response = await PostChatAsync("{\"model\": \"mock-echo\", \"temperature\": \"hot\", \"messages\": [{\"role\": \"user\", \"content\": \"hi\"}]}");
        await ErrorAssert.IsOpenAIErrorAsync(response, HttpStatusCode.BadRequest, param: "temperature", code: "invalid_type");
    }

    [Fact]
    public async Task TemperatureOutOfRangeIs400()
    {
        using var response = await PostChatAsync("{\"model\": \"mock-echo\", \"temperature\": 3, \"messages\": [{\"role\": \"user\", \"content\": \"hi\"}]}");
        await ErrorAssert.IsOpenAIErrorAsync(response, HttpStatusCode.BadRequest, param: "temperature", code: "invalid_value");
    }

    [Fact]
    public async Task UnknownRoleIs400NamingTheMessage()
    {
        using var response = await PostChatAsync("{\"model\": \"mock-echo\", \"messages\": [{\"role\": \"user\", \"content\": \"hi\"}, {\"role\": \"robot\", \"content\": \"x\"}]}");
        await ErrorAssert.IsOpenAIErrorAsync(response, HttpStatusCode.BadRequest, param: "messages[1].role");
    }

    [Fact]
    public async Task MessageWithoutContentIs400()
    {
        using var response = await PostChatAsync("{\"model\": \"mock-echo\", \"messages\": [{\"role\": \"user\"}]}");
        await ErrorAssert.IsOpenAIErrorAsync(response, HttpStatusCode.BadRequest, param: "messages[0].content");
    }

    [Fact]
    public async Task ContentOfTheWrongTypeIs400()
    {
        using var response = await PostChatAsync("{\"model\": \"mock-echo\", \"messages\": [{\"role\": \"user\", \"content\": 42}]}");
        await ErrorAssert.IsOpenAIErrorAsync(response, HttpStatusCode.BadRequest, param: "messages[0].content");
    }

    [Fact]
    public async Task StreamOptionsWithoutStreamIs400()
    {
        using var response = await PostChatAsync("{\"model\": \"mock-echo\", \"stream_options\": {\"include_usage\": true}, \"messages\": [{\"role\": \"user\", \"content\": \"hi\"}]}");
        await ErrorAssert.IsOpenAIErrorAsync(response, HttpStatusCode.BadRequest, param: "stream_options");
    }

    [Fact]
    public async Task ToolWithoutFunctionNameIs400()
    {
        using var response = await PostChatAsync("{\"model\": \"mock-echo\", \"tools\": [{\"type\": \"function\", \"function\": {}}], \"messages\": [{\"role\": \"user\", \"content\": \"hi\"}]}");
        await ErrorAssert.IsOpenAIErrorAsync(response, HttpStatusCode.BadRequest, param: "tools[0].function.name");
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
        using var response = await _gateway.Http.PostAsync("/v1/embeddings", new StringContent(json, Encoding.UTF8, "application/json"), TestContext.Current.CancellationToken);
        await ErrorAssert.IsOpenAIErrorAsync(response, HttpStatusCode.BadRequest, param: param);
    }

    [Fact]
    public async Task TooManyEmbeddingInputsIs400()
    {
        var inputs = string.Join(',', Enumerable.Repeat("\"x\"", 2049));
        using var response = await _gateway.Http.PostAsync("/v1/embeddings", new StringContent("{\"model\": \"mock-embedding\", \"input\": [" + inputs + "]}", Encoding.UTF8, "application/json"), TestContext.Current.CancellationToken);
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
        using var response = await _gateway.Http.SendAsync(request, TestContext.Current.CancellationToken);
        await ErrorAssert.IsOpenAIErrorAsync(response, HttpStatusCode.RequestEntityTooLarge);
    }

    [Fact]
    public async Task EmbeddingsWithoutInputIs400NamingInput()
    {
        using var response = await _gateway.Http.PostAsync("/v1/embeddings", new StringContent("{\"model\": \"mock-embedding\"}", Encoding.UTF8, "application/json"), TestContext.Current.CancellationToken);
        await ErrorAssert.IsOpenAIErrorAsync(response, HttpStatusCode.BadRequest, param: "input");
    }

    [Fact]
    public async Task EmbeddingsForUnknownModelIs404()
    {
        using var response = await _gateway.Http.PostAsync("/v1/embeddings", new StringContent("{\"model\": \"nope\", \"input\": \"x\"}", Encoding.UTF8, "application/json"), TestContext.Current.CancellationToken);
        await ErrorAssert.IsOpenAIErrorAsync(response, HttpStatusCode.NotFound, code: "model_not_found");
    }

    [Fact]
    public async Task UnknownModelIdIs404()
    {
        using var response = await _gateway.Http.GetAsync("/v1/models/gpt-17", TestContext.Current.CancellationToken);
        await ErrorAssert.IsOpenAIErrorAsync(response, HttpStatusCode.NotFound, code: "model_not_found");
    }

    [Fact]
    public async Task UnknownRouteIs404InOpenAIShape()
    {
        using var response = await _gateway.Http.GetAsync("/v1/nothing-here", TestContext.Current.CancellationToken);
        await ErrorAssert.IsOpenAIErrorAsync(response, HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task WrongMethodIs405InOpenAIShape()
    {
        using var response = await _gateway.Http.GetAsync("/v1/chat/completions", TestContext.Current.CancellationToken);
        await ErrorAssert.IsOpenAIErrorAsync(response, HttpStatusCode.MethodNotAllowed);
    }
}
