using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http;
using Switchboard.Errors;

namespace Switchboard.Hosting.Http;

/// <summary>
/// Makes every answer that is not produced by an endpoint (unknown route, wrong method, a bug) an
/// OpenAI-shaped error: no HTML pages, no stack traces.
/// </summary>
public static class OpenAIErrorHandling
{
    /// <summary>Answers unknown routes, wrong methods and unhandled exceptions with the OpenAI error object.</summary>
    public static IApplicationBuilder UseOpenAIErrors(this IApplicationBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.UseExceptionHandler(new ExceptionHandlerOptions
        {
            ExceptionHandler = async context =>
            {
                var exception = context.Features.Get<IExceptionHandlerFeature>()?.Error;
                var error = exception is BadHttpRequestException bad
                    ? FromStatus(bad.StatusCode, bad.Message)
                    : new GatewayError
                    {
                        StatusCode = StatusCodes.Status500InternalServerError,
                        Type = ErrorTypes.Server,
                        Message = "The server had an error while processing your request. The request id is " + context.TraceIdentifier + ".",
                    };
                // ASP.NET Core's exception handler middleware has already logged the exception, once.
                await OpenAIResponseWriter.WriteErrorAsync(context.Response, error, CancellationToken.None);
            },
        });
        app.UseStatusCodePages(async statusContext =>
        {
            var context = statusContext.HttpContext;
            var error = FromStatus(context.Response.StatusCode, null, context.Request.Method, context.Request.Path);
            await OpenAIResponseWriter.WriteErrorAsync(context.Response, error, CancellationToken.None);
        });
        return app;
    }

    private static GatewayError FromStatus(int status, string? detail, string? method = null, PathString? path = null) => status switch
    {
        StatusCodes.Status404NotFound => GatewayError.NotFound($"Unknown request URL: {method} {path}. See the README for the endpoints this server offers.", ErrorCodes.NotFound),
        StatusCodes.Status405MethodNotAllowed => new GatewayError
        {
            StatusCode = status,
            Type = ErrorTypes.InvalidRequest,
            Message = $"The method {method} is not allowed for {path}.",
            Code = "method_not_allowed",
        },
        StatusCodes.Status413PayloadTooLarge => GatewayError.PayloadTooLarge(OpenAIRequestReader.DefaultMaxBodyBytes),
        _ => new GatewayError
        {
            StatusCode = status,
            Type = status >= 500 ? ErrorTypes.Server : ErrorTypes.InvalidRequest,
            Message = detail ?? $"The request failed with status {status}.",
        },
    };
}
