using System.CommandLine;
using Switchboard.Mock.Server;

namespace Switchboard.Cli.Commands;

/// <summary><c>switchboard mock --fixtures PATH [--host H] [--port N] [--watch] [--strict]</c>: runs the mock server.</summary>
public static class MockCommand
{
    /// <summary>The <c>mock</c> command.</summary>
    public static Command Create()
    {
        var fixtures = new Option<string?>("--fixtures", "-f")
        {
            Description = "A fixture file or a folder of *.json (Postman v2.1) and *.yaml fixtures; without it the mock echoes.",
        };
        CommonOptions.MustExist(fixtures);
        var host = CommonOptions.Host("127.0.0.1");
        var port = CommonOptions.Port("8080");
        var watch = new Option<bool>("--watch", "-w") { Description = "Reload fixtures when a file changes; a broken file keeps the last good set." };
        var strict = new Option<bool>("--strict") { Description = "Also fail (409 ambiguous_fixtures) when two fixtures match equally well." };
        var recordTo = new Option<string?>("--record-to") { Description = "Record mode: a request no fixture answers goes to --upstream, and its answer is written as a fixture into this folder (requests a fixture answers are not recorded)." };
        var upstream = new Option<string?>("--upstream") { Description = "Record mode: the real OpenAI-compatible API to proxy to (e.g. https://api.openai.com/v1)." };
        var upstreamKey = new Option<string?>("--upstream-api-key") { Description = "Record mode: key for the upstream (default: $OPENAI_API_KEY). It is sent instead of the client's Authorization, which is forwarded only when neither is set." };
        var maxConnections = new Option<long?>("--max-connections") { Description = "The most client connections open at once; more are refused (default: half of what the open-file limit allows)." };
        var inlineIo = new Option<bool>("--inline-io")
        {
            Description = "Answer each request on the socket thread that read it rather than through the thread pool: less CPU per request for a mock that never blocks (default: true; --inline-io false turns it off).",
            DefaultValueFactory = _ => true,
        };
        var adminToken = new Option<string?>("--admin-token") { Description = "Token the admin API (/__admin) asks for as 'Authorization: Bearer TOKEN' (default: $SWITCHBOARD_ADMIN_TOKEN); required unless on loopback." };

        var command = new Command("mock", "Run the deterministic OpenAI-compatible mock server.")
        {
            fixtures, host, port, watch, strict, recordTo, upstream, upstreamKey, adminToken, maxConnections, inlineIo,
        };
        command.Validators.Add(result =>
        {
            if ((result.GetValue(recordTo) is null) != (result.GetValue(upstream) is null))
            {
                result.AddError("--record-to and --upstream go together.");
            }
        });
        command.SetAction((parseResult, cancellationToken) =>
        {
            var inline = parseResult.GetValue(inlineIo);
            if (inline)
            {
                InlineSocketCompletions.Enable();
            }

            return MockServerHost.RunAsync(
                new MockServerOptions
                {
                    FixturesPath = parseResult.GetValue(fixtures) is { } path ? Path.GetFullPath(path) : null,
                    Host = parseResult.GetValue(host) ?? "127.0.0.1",
                    Port = parseResult.GetValue(port) ?? MockServerOptions.DefaultPort,
                    Watch = parseResult.GetValue(watch),
                    Strict = parseResult.GetValue(strict),
                    RecordTo = parseResult.GetValue(recordTo),
                    Upstream = parseResult.GetValue(upstream),
                    UpstreamApiKey = parseResult.GetValue(upstreamKey) ?? Environment.GetEnvironmentVariable("OPENAI_API_KEY"),
                    AdminToken = parseResult.GetValue(adminToken) ?? Environment.GetEnvironmentVariable("SWITCHBOARD_ADMIN_TOKEN"),
                    MaxConnections = parseResult.GetValue(maxConnections),
                    InlineScheduling = inline,
                },
                cancellationToken);
        });
        return command;
    }
}
