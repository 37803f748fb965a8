using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Switchboard.Errors;

namespace Switchboard.Hosting.Http;

/// <summary>
/// Makes every answer that is not produced by an endpoint (unknown route, wrong method, a bug) an
/// OpenAI-shaped error: no HTML pages, no stack traces.
/// </summary>
public static partial class OpenAIErrorHandling
{
    /// <summary>
    /// Answers failures in the OpenAI error shape and decodes compressed request bodies (gzip, deflate, br) within
    /// the server's body size limit.
    /// </summary>
    public static IApplicationBuilder UseOpenAIErrors(this IApplicationBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var logger = app.ApplicationServices.GetRequiredService<ILoggerFactory>().CreateLogger("Switchboard.Http");
        app.UseExceptionHandler(new ExceptionHandlerOptions
        {
            ExceptionHandler = async context =>
            {
                var exception = context.Features.Get<IExceptionHandlerFeature>()?.Error;
                GatewayError error;
                if (IsClientFault(exception, out var status))
                {
                    // A client's broken request is worth one line; its stack trace is for whoever debugs Kestrel.
                    Log.BadRequest(logger, context.Request.Method, context.Request.Path.Value ?? "/", status, exception!.Message);
                    Log.BadRequestDetail(logger, exception);
                    error = FromStatus(status, $"The request could not be read: {exception.Message.TrimEnd('.')}.");
                }
                else
                {
                    error = new GatewayError
                    {
                        StatusCode = StatusCodes.Status500InternalServerError,
                        Type = ErrorTypes.Server,
                        Message = "The server had an error while processing your request. The request id is " + context.TraceIdentifier + ".",
                    };
                }

                await OpenAIResponseWriter.WriteErrorAsync(context.Response, error, CancellationToken.None);
            },
            // Bugs are logged once, with their trace, by the middleware; a client's broken request by the handler above.
            SuppressDiagnosticsCallback = context => IsClientFault(context.Exception, out _),
        });
        app.UseStatusCodePages(async statusContext =>
        {
            var context = statusContext.HttpContext;
            var error = FromStatus(context.Response.StatusCode, null, context.Request.Method, context.Request.Path);
            await OpenAIResponseWriter.WriteErrorAsync(context.Response, error, CancellationToken.None);
        });
        app.UseRequestDecompression();
        return app;
    }

    /// <summary>A request Kestrel could not read: broken framing or a body that stopped, never the server's own fault.</summary>
    private static bool IsClientFault(Exception? exception, out int status)
    {
        switch (exception)
        {
            case BadHttpRequestException bad:
                status = bad.StatusCode is >= 400 and < 500 ? bad.StatusCode : StatusCodes.Status400BadRequest;
                return true;
            case IOException { InnerException: BadHttpRequestException or OverflowException or FormatException }:
            case InvalidDataException:
                status = StatusCodes.Status400BadRequest;
                return true;
            default:
                status = 0;
                return false;
        }
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

    private static partial class Log
    {
        [LoggerMessage(EventId = 30, Level = LogLevel.Information, Message = "{Method} {Path}: {Status}, the request could not be read: {Reason}")]
        public static partial void BadRequest(ILogger logger, string method, string path, int status, string reason);

        [LoggerMessage(EventId = 31, Level = LogLevel.Debug, Message = "The unreadable request's exception")]
        public static partial void BadRequestDetail(ILogger logger, Exception exception);
    }
}
