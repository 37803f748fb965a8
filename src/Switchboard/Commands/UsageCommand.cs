using System.CommandLine;
using System.Globalization;
using System.Security.Cryptography;
using Microsoft.Extensions.Configuration;
using Switchboard.Data;
using Switchboard.Data.Protection;
using Switchboard.Data.Usage;
using Switchboard.Gateway.Configuration;

namespace Switchboard.Cli.Commands;

/// <summary><c>switchboard usage show REQUEST_ID</c>: one request's usage record and, when kept, its decrypted messages.</summary>
public static class UsageCommand
{
    /// <summary>The command and its subcommands.</summary>
    public static Command Create()
    {
        var usage = new Command("usage", "Read usage records from the configured database.");
        var config = DatabaseCommandContext.ConfigOption();
        var requestId = new Argument<string>("REQUEST_ID") { Description = "The request's x-request-id." };
        var show = new Command("show", "Show one request's record, and its messages and answer when database.store_messages kept them (decrypted with database.encryption_key).") { config, requestId };
        show.SetAction(async (parse, cancellationToken) =>
        {
            var path = parse.GetValue(config);
            var (database, problem, exitCode) = await DatabaseCommandContext.OpenAsync(path, cancellationToken);
            if (database is null)
            {
                await Console.Error.WriteLineAsync($"switchboard: {problem}");
                return exitCode;
            }

            var id = parse.GetValue(requestId)!;
            var found = await new UsageQueries(database).FindAsync(id, cancellationToken);
            if (found is not { } row)
            {
                await Console.Error.WriteLineAsync($"switchboard: no usage record has the request id '{id}'.");
                return 1;
            }

            var u = row.Usage;
            var output = Console.Out;
            await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"request   {u.RequestId} ({u.Endpoint}{(u.Stream ? ", stream" : string.Empty)}) at {u.OccurredAt:yyyy-MM-dd HH:mm:ss.fff} UTC"));
            await output.WriteLineAsync($"caller    key {u.KeyId ?? "-"}, user {u.UserId ?? "-"}, team {u.TeamId ?? "-"}, end user {u.EndUser ?? "-"}");
            await output.WriteLineAsync($"model     {u.RequestedModel} -> {u.ServedModel ?? "-"} via {u.Deployment ?? "-"}");
            await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"tokens    {u.InputTokens} in, {u.OutputTokens} out; cost ${u.CostNanoUsd / 1_000_000_000m}"));
            await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"timing    {u.LatencyMs:0.#} ms{(u.TtftMs is { } t ? $", first token {t:0.#} ms" : string.Empty)}, {u.Attempts} attempt(s), cache {u.CacheResult ?? "-"}"));
            await output.WriteLineAsync($"status    {u.Status}{(u.ErrorCode is null ? string.Empty : " " + u.ErrorCode)}");
            if (row.Messages is null)
            {
                await output.WriteLineAsync("messages  not stored (database.store_messages was off)");
                return 0;
            }

            var options = GatewayConfigurationLoader.Load(path is null ? null : Path.GetFullPath(path)).GetSection(DatabaseOptions.SectionName).Get<DatabaseOptions>() ?? new DatabaseOptions();
            var protector = MessageProtectorFactory.Create(options);
            if (protector is null)
            {
                await Console.Error.WriteLineAsync("switchboard: database.encryption_key is needed to read stored messages.");
                return 1;
            }

            try
            {
                var exchange = protector.Unprotect(row.Messages);
                await output.WriteLineAsync($"messages  {exchange.MessagesJson}");
                await output.WriteLineAsync($"answer    {exchange.Answer}");
                return 0;
            }
            catch (CryptographicException ex)
            {
                await Console.Error.WriteLineAsync($"switchboard: cannot decrypt the stored messages: {ex.Message}");
                return 1;
            }
        });
        usage.Subcommands.Add(show);
        return usage;
    }
}
