using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Switchboard.Errors;
using Switchboard.Hosting.Http;
using Switchboard.Mock.Loading;
using Switchboard.Mock.Recording;
using Switchboard.Mock.Server.Journal;

namespace Switchboard.Mock.Server.Admin;

/// <summary>
/// <c>/__admin</c>: list, add and remove fixtures (in the same YAML/JSON format as files, or a Postman
/// collection), read and clear the request journal, reload files, and reset everything.
/// </summary>
internal static class AdminEndpoints
{
    public const string Prefix = "/__admin";

    /// <summary>
    /// With a token, every <c>/__admin</c> request must carry it (<c>Authorization: Bearer TOKEN</c> or
    /// <c>X-Admin-Token: TOKEN</c>), compared in constant time; without one the admin API is open, as it is when
    /// the server is only on loopback.
    /// </summary>
    public static IApplicationBuilder UseAdminToken(this IApplicationBuilder app, string? token)
    {
        if (string.IsNullOrEmpty(token))
        {
            return app;
        }

        var expected = Encoding.UTF8.GetBytes(token);
        return app.Use(async (context, next) =>
        {
            if (!context.Request.Path.StartsWithSegments(Prefix, StringComparison.OrdinalIgnoreCase) || Presented(context.Request) is { } given && Matches(given, expected))
            {
                await next(context);
                return;
            }

            context.Response.Headers.WWWAuthenticate = "Bearer";
            await OpenAIResponseWriter.WriteErrorAsync(
                context.Response,
                new GatewayError
                {
                    StatusCode = StatusCodes.Status401Unauthorized,
                    Type = ErrorTypes.Authentication,
                    Message = "The admin API needs the server's admin token: send 'Authorization: Bearer TOKEN' or 'X-Admin-Token: TOKEN'.",
                    Code = "invalid_admin_token",
                },
                context.RequestAborted);
        });
    }

    private static string? Presented(HttpRequest request)
    {
        if (request.Headers["X-Admin-Token"] is { Count: 1 } header)
        {
            return header[0];
        }

        var authorization = request.Headers.Authorization.ToString();
        return authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? authorization[7..].Trim() : null;
    }

    private static bool Matches(string given, byte[] expected) =>
        CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(given), expected);

    public static void MapAdminEndpoints(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet(Prefix + "/fixtures", ListFixtures);
        endpoints.MapPost(Prefix + "/fixtures", AddFixturesAsync);
        endpoints.MapDelete(Prefix + "/fixtures", ClearFixtures);
        endpoints.MapGet(Prefix + "/fixtures/{id}", GetFixture);
        endpoints.MapDelete(Prefix + "/fixtures/{id}", DeleteFixture);
        endpoints.MapGet(Prefix + "/requests", ListRequests);
        endpoints.MapDelete(Prefix + "/requests", ClearRequests);
        endpoints.MapPost(Prefix + "/reload", Reload);
        endpoints.MapPost(Prefix + "/reset", Reset);
    }

    private static Task ListFixtures(HttpContext context)
    {
        var engine = context.RequestServices.GetRequiredService<MockEngine>();
        var set = engine.Fixtures;
        if (WantsYaml(context.Request))
        {
            return WriteYamlAsync(context, FixtureYamlWriter.Write(set.Fixtures));
        }

        var errors = context.RequestServices.GetService<FixtureWatcher>()?.Errors.Select(e => e.ToString()).ToList() ?? [];
        var list = new FixtureList(set.Count, engine.Generation, [.. set.Fixtures.Select(FixtureInfo.From)], errors);
        return context.Response.WriteAsJsonAsync(list, MockServerJson.Context.FixtureList, cancellationToken: context.RequestAborted);
    }

    private static Task GetFixture(HttpContext context, string id)
    {
        var engine = context.RequestServices.GetRequiredService<MockEngine>();
        if (engine.Fixtures.Find(id) is not { } fixture)
        {
            return NotFound(context, id);
        }

        return WantsYaml(context.Request)
            ? WriteYamlAsync(context, FixtureYamlWriter.Write([fixture]))
            : context.Response.WriteAsJsonAsync(FixtureInfo.From(fixture), MockServerJson.Context.FixtureInfo, cancellationToken: context.RequestAborted);
    }

    private static async Task AddFixturesAsync(HttpContext context)
    {
        var engine = context.RequestServices.GetRequiredService<MockEngine>();
        var (body, unreadable) = await OpenAIRequestReader.ReadBytesAsync(context.Request, FixtureLoader.MaxFileBytes, context.RequestAborted);
        if (unreadable is not null)
        {
            await OpenAIResponseWriter.WriteErrorAsync(context.Response, unreadable, context.RequestAborted);
            return;
        }

        IReadOnlyList<Fixtures.Fixture> parsed;
        try
        {
            parsed = FixtureLoader.Parse(body!, "admin", FixtureFormat.Auto);
        }
        catch (FixtureLoadException ex)
        {
            await OpenAIResponseWriter.WriteErrorAsync(context.Response, GatewayError.InvalidRequest($"The fixture is not valid: {ex.Error}", code: ErrorCodes.InvalidValue), context.RequestAborted);
            return;
        }

        if (parsed.Count == 0)
        {
            await OpenAIResponseWriter.WriteErrorAsync(context.Response, GatewayError.InvalidRequest("The body holds no fixture. Send one fixture, a list, or a mapping with 'fixtures:'.", code: ErrorCodes.InvalidValue), context.RequestAborted);
            return;
        }

        var added = engine.Add(parsed);
        context.Response.StatusCode = StatusCodes.Status201Created;
        var result = new AdminResult($"Added {added.Count} fixture(s).", engine.Fixtures.Count, [.. added.Select(FixtureInfo.From)]);
        await context.Response.WriteAsJsonAsync(result, MockServerJson.Context.AdminResult, cancellationToken: context.RequestAborted);
    }

    private static Task ClearFixtures(HttpContext context)
    {
        var engine = context.RequestServices.GetRequiredService<MockEngine>();
        var removed = engine.ClearRuntime();
        return WriteResultAsync(context, $"Removed {removed} fixture(s) added over HTTP; file and start-up fixtures stay.", engine);
    }

    private static Task DeleteFixture(HttpContext context, string id)
    {
        var engine = context.RequestServices.GetRequiredService<MockEngine>();
        return engine.Remove(id)
            ? WriteResultAsync(context, $"Removed fixture '{id}'. A fixture from a file comes back when the file is reloaded or on reset.", engine)
            : NotFound(context, id);
    }

    private static Task ListRequests(HttpContext context)
    {
        var journal = context.RequestServices.GetRequiredService<RequestJournal>();
        IEnumerable<JournalEntry> entries = journal.Snapshot();
        if (context.Request.Query.TryGetValue("outcome", out var outcome) && outcome.Count > 0)
        {
            entries = entries.Where(e => outcome.Contains(e.Outcome));
        }

        return context.Response.WriteAsJsonAsync<IReadOnlyList<JournalEntry>>([.. entries], MockServerJson.Context.IReadOnlyListJournalEntry, cancellationToken: context.RequestAborted);
    }

    private static Task ClearRequests(HttpContext context)
    {
        context.RequestServices.GetRequiredService<RequestJournal>().Clear();
        return WriteResultAsync(context, "Cleared the request journal.", context.RequestServices.GetRequiredService<MockEngine>());
    }

    private static Task Reload(HttpContext context)
    {
        var engine = context.RequestServices.GetRequiredService<MockEngine>();
        if (context.RequestServices.GetService<FixtureWatcher>() is not { } watcher)
        {
            return WriteResultAsync(context, "No fixture files to reload (started without --fixtures).", engine);
        }

        var reload = watcher.Reload(force: true);
        var errors = reload?.Errors ?? [];
        return errors.Count == 0
            ? WriteResultAsync(context, $"Reloaded {reload?.FileCount ?? 0} file(s).", engine)
            : OpenAIResponseWriter.WriteErrorAsync(
                context.Response,
                GatewayError.InvalidRequest("Reloaded, but broken files kept their last good fixtures: " + string.Join("; ", errors), code: ErrorCodes.InvalidValue),
                context.RequestAborted);
    }

    private static Task Reset(HttpContext context)
    {
        var services = context.RequestServices;
        var engine = services.GetRequiredService<MockEngine>();
        var options = services.GetRequiredService<MockServerOptions>();
        engine.ClearRuntime();
        engine.SetCodeFixtures(options.Fixtures);
        engine.ResetState();
        services.GetRequiredService<RequestJournal>().Clear();
        services.GetService<FixtureWatcher>()?.Reload(force: true);
        return WriteResultAsync(context, "Reset: fixtures added over HTTP removed, files reloaded, sequences and scenarios restarted, journal cleared.", engine);
    }

    private static bool WantsYaml(HttpRequest request) =>
        string.Equals(request.Query["format"], "yaml", StringComparison.OrdinalIgnoreCase)
        || request.Headers.Accept.ToString().Contains("yaml", StringComparison.OrdinalIgnoreCase);

    private static Task WriteYamlAsync(HttpContext context, string yaml)
    {
        context.Response.ContentType = "application/yaml; charset=utf-8";
        return context.Response.WriteAsync(yaml, Encoding.UTF8, context.RequestAborted);
    }

    private static Task WriteResultAsync(HttpContext context, string message, MockEngine engine) =>
        context.Response.WriteAsJsonAsync(new AdminResult(message, engine.Fixtures.Count), MockServerJson.Context.AdminResult, cancellationToken: context.RequestAborted);

    private static Task NotFound(HttpContext context, string id) =>
        OpenAIResponseWriter.WriteErrorAsync(context.Response, GatewayError.NotFound($"No fixture has the id '{id}'. GET {Prefix}/fixtures lists them.", ErrorCodes.NotFound), context.RequestAborted);
}
