using System.Net;
using System.Text.Json;

namespace Switchboard.Gateway.Tests.Infrastructure;

/// <summary>Checks that an answer is the OpenAI error object with the expected status.</summary>
public static class ErrorAssert
{
    public static async Task<JsonElement> IsOpenAIErrorAsync(HttpResponseMessage response, HttpStatusCode status, string? param = null, string? code = null)
    {
        Assert.Equal(status, response.StatusCode);
        Assert.StartsWith("application/json", response.Content.Headers.ContentType?.ToString());
        var text = await response.Content.ReadAsStringAsync();
        using var document = JsonDocument.Parse(text);
        var error = document.RootElement.GetProperty("error");
        Assert.Equal(JsonValueKind.String, error.GetProperty("message").ValueKind);
        Assert.False(string.IsNullOrWhiteSpace(error.GetProperty("message").GetString()));
        Assert.Equal(JsonValueKind.String, error.GetProperty("type").ValueKind);
        Assert.True(error.TryGetProperty("param", out var actualParam), "the error object must always carry 'param'");
        Assert.True(error.TryGetProperty("code", out var actualCode), "the error object must always carry 'code'");
        if (param is not null)
        {
            Assert.Equal(param, actualParam.GetString());
        }

        if (code is not null)
        {
            Assert.Equal(code, actualCode.GetString());
        }

        Assert.DoesNotContain("   at ", text, StringComparison.Ordinal);
        return error.Clone();
    }
}
