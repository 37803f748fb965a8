using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Switchboard.Data.Keys;
using Switchboard.Gateway.Admin;

namespace Switchboard.Cli.Commands;

/// <summary><c>switchboard keys create|list|revoke</c>: virtual keys in the database <c>serve</c> uses.</summary>
public static class KeysCommand
{
    /// <summary>The command and its subcommands.</summary>
    public static Command Create()
    {
        var keys = new Command("keys", "Manage virtual keys in the configured database.");
        keys.Subcommands.Add(CreateCommand());
        keys.Subcommands.Add(ListCommand());
        keys.Subcommands.Add(RevokeCommand());
        return keys;
    }

    private static Command CreateCommand()
    {
        var config = DatabaseCommandContext.ConfigOption();
        var name = new Option<string>("--name", "-n") { Description = "A name for the key (who or what uses it).", Required = true };
        var user = new Option<string?>("--user") { Description = "The user the key belongs to." };
        var team = new Option<string?>("--team") { Description = "The team the key belongs to." };
        var rpm = new Option<int?>("--rpm") { Description = "Requests per minute for the key." };
        var tpm = new Option<int?>("--tpm") { Description = "Tokens per minute for the key." };
        var budget = new Option<string[]>("--budget") { Description = "USD budget: 10/day, 200/month or 1000 (total); repeat for several.", AllowMultipleArgumentsPerToken = false };
        var models = new Option<string?>("--models") { Description = "Models the key may call, comma-separated globs (gpt-4o,o3*); default all." };
        var expires = new Option<string?>("--expires") { Description = "When the key stops working: 2026-12-31, 2026-12-31T18:00:00Z or 30d." };
        var json = new Option<bool>("--json") { Description = "Print the new key as JSON." };
        var command = new Command("create", "Create a key; it is printed once and cannot be shown again.")
        {
            config, name, user, team, rpm, tpm, budget, models, expires, json,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var now = DateTimeOffset.UtcNow;
            var spec = new KeySpec
            {
                Name = parse.GetValue(name)!,
                User = parse.GetValue(user),
                Team = parse.GetValue(team),
                Rpm = parse.GetValue(rpm),
                Tpm = parse.GetValue(tpm),
                AllowedModels = KeySpecParser.ParseModels(parse.GetValue(models)),
            };
            var problems = new List<string>();
            foreach (var text in parse.GetValue(budget) ?? [])
            {
                if (KeySpecParser.ApplyBudget(ref spec, text) is { } problem)
                {
                    problems.Add("--budget: " + problem);
                }
            }

            if (parse.GetValue(expires) is { } expiry)
            {
                spec = spec with { ExpiresAt = KeySpecParser.ParseExpiry(expiry, now, out var problem) };
                if (problem is not null)
                {
                    problems.Add("--expires: " + problem);
                }
            }

            problems.AddRange(KeySpecParser.Validate(spec, now).Select(p => "--" + p));
            if (problems.Count > 0)
            {
                await Console.Error.WriteLineAsync($"switchboard: {problems[0]}");
                return SwitchboardCommandLine.UsageError;
            }

            var (database, openProblem, exitCode) = await DatabaseCommandContext.OpenAsync(parse.GetValue(config), cancellationToken);
            if (database is null)
            {
                await Console.Error.WriteLineAsync($"switchboard: {openProblem}");
                return exitCode;
            }

            var created = await new KeyStore(database, TimeProvider.System).CreateAsync(spec, cancellationToken);
            if (parse.GetValue(json))
            {
                await Console.Out.WriteLineAsync(JsonSerializer.Serialize(KeyView.From(created.Info, created.Secret), AdminJsonContext.Default.KeyView));
                return 0;
            }

            await Console.Out.WriteLineAsync($"Created {created.Info.Key.Id} '{created.Info.Key.Name}' in {database.Describe()}. The key is shown only now; keep it somewhere safe:");
            await Console.Out.WriteLineAsync(created.Secret);
            return 0;
        });
        return command;
    }

    private static Command ListCommand()
    {
        var config = DatabaseCommandContext.ConfigOption();
        var all = new Option<bool>("--all", "-a") { Description = "Include revoked keys." };
        var json = new Option<bool>("--json") { Description = "Print JSON (as GET /admin/keys)." };
        var command = new Command("list", "List keys (their prefixes; keys themselves are never stored).") { config, all, json };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var (database, problem, exitCode) = await DatabaseCommandContext.OpenAsync(parse.GetValue(config), cancellationToken);
            if (database is null)
            {
                await Console.Error.WriteLineAsync($"switchboard: {problem}");
                return exitCode;
            }

            var keys = await new KeyStore(database, TimeProvider.System).ListAsync(parse.GetValue(all), cancellationToken);
            if (parse.GetValue(json))
            {
                await Console.Out.WriteLineAsync(JsonSerializer.Serialize(new KeyList([.. keys.Select(k => KeyView.From(k))]), AdminJsonContext.Default.KeyList));
                return 0;
            }

            string[] header = ["ID", "PREFIX", "NAME", "USER", "TEAM", "MODELS", "RPM", "TPM", "BUDGET", "EXPIRES", "LAST USED", "STATUS"];
            var rows = keys.Select(Row).ToList();
            var widths = header.Select((h, i) => Math.Max(h.Length, rows.Count == 0 ? 0 : rows.Max(r => r[i].Length))).ToArray();
            await Console.Out.WriteLineAsync(string.Join("  ", header.Select((h, i) => h.PadRight(widths[i]))).TrimEnd());
            foreach (var row in rows)
            {
                await Console.Out.WriteLineAsync(string.Join("  ", row.Select((c, i) => c.PadRight(widths[i]))).TrimEnd());
            }

            return 0;
        });
        return command;
    }

    private static Command RevokeCommand()
    {
        var config = DatabaseCommandContext.ConfigOption();
        var id = new Argument<string>("ID|PREFIX") { Description = "The key's id (key_...) or the start of its prefix (sk-sb-...)." };
        var command = new Command("revoke", "Revoke a key: it stops working on every replica within auth.key_cache_ttl.") { config, id };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var (database, problem, exitCode) = await DatabaseCommandContext.OpenAsync(parse.GetValue(config), cancellationToken);
            if (database is null)
            {
                await Console.Error.WriteLineAsync($"switchboard: {problem}");
                return exitCode;
            }

            var target = parse.GetValue(id)!;
            var (outcome, key) = await new KeyStore(database, TimeProvider.System).RevokeAsync(target, cancellationToken);
            switch (outcome)
            {
                case RevokeOutcome.Revoked:
                    await Console.Out.WriteLineAsync($"Revoked {key!.Key.Id} '{key.Key.Name}' ({key.Key.Prefix}...).");
                    return 0;
                case RevokeOutcome.AlreadyRevoked:
                    await Console.Out.WriteLineAsync($"{key!.Key.Id} '{key.Key.Name}' was already revoked.");
                    return 0;
                case RevokeOutcome.Ambiguous:
                    await Console.Error.WriteLineAsync($"switchboard: '{target}' is the prefix of more than one key; give the key's id (switchboard keys list).");
                    return 1;
                default:
                    await Console.Error.WriteLineAsync($"switchboard: no key has the id or prefix '{target}'.");
                    return 1;
            }
        });
        return command;
    }

    private static string[] Row(KeyInfo info)
    {
        var key = info.Key;
        var budgets = new List<string>();
        if (key.BudgetDailyUsd is { } day)
        {
            budgets.Add(string.Create(CultureInfo.InvariantCulture, $"${day:0.######}/day"));
        }

        if (key.BudgetMonthlyUsd is { } month)
        {
            budgets.Add(string.Create(CultureInfo.InvariantCulture, $"${month:0.######}/month"));
        }

        if (key.BudgetTotalUsd is { } total)
        {
            budgets.Add(string.Create(CultureInfo.InvariantCulture, $"${total:0.######}"));
        }

        return
        [
            key.Id, key.Prefix + "...", key.Name, key.User ?? "-", key.Team ?? "-",
            key.AllowedModels.Count == 0 ? "*" : string.Join(',', key.AllowedModels),
            key.Rpm?.ToString(CultureInfo.InvariantCulture) ?? "-", key.Tpm?.ToString(CultureInfo.InvariantCulture) ?? "-",
            budgets.Count == 0 ? "-" : string.Join(' ', budgets),
            key.ExpiresAt?.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture) ?? "-",
            info.LastUsedAt?.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture) ?? "-",
            info.RevokedAt is not null ? "revoked" : key.ExpiresAt <= DateTimeOffset.UtcNow ? "expired" : "active",
        ];
    }
}
