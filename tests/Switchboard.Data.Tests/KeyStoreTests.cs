using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Time.Testing;
using Switchboard.Data.Keys;

namespace Switchboard.Data.Tests;

public sealed class KeyStoreTests : DatabaseTest
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 5, 10, 0, 0, TimeSpan.Zero));

    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task ACreatedKeyIsStoredAsItsHashOnly(string provider)
    {
        var database = await DatabaseAsync(provider);
        var store = new KeyStore(database, _time);

        var created = await store.CreateAsync(new KeySpec { Name = "ci", User = "alice", Team = "ml", AllowedModels = ["gpt-4o*"], Rpm = 60, BudgetDailyUsd = 10m, Metadata = new Dictionary<string, string> { ["env"] = "ci" } }, Ct);

        await using var context = database.CreateContext();
        var row = await context.Keys.SingleAsync(Ct);
        Assert.Equal(KeyHasher.Hash(created.Secret), row.KeyHash);
        Assert.Equal(created.Secret[..14], row.Prefix);
        Assert.DoesNotContain(created.Secret[14..], string.Join("|", row.Id, row.Name, row.Prefix, row.Metadata, row.AllowedModels), StringComparison.Ordinal);
        if (provider == "sqlite")
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            var file = await File.ReadAllBytesAsync(Path.Combine(Folder.FullName, "switchboard.db"), Ct);
            Assert.DoesNotContain(created.Secret[14..], Encoding.Latin1.GetString(file), StringComparison.Ordinal);
        }

        var found = await store.FindByHashAsync(KeyHasher.Hash(created.Secret), Ct);
        Assert.NotNull(found);
        Assert.Equal(created.Info.Key, found.Key with { AllowedModels = created.Info.Key.AllowedModels, Metadata = created.Info.Key.Metadata });
        Assert.Equal(["gpt-4o*"], found.Key.AllowedModels);
        Assert.Equal("ci", found.Key.Metadata["env"]);
        Assert.Equal(10m, found.Key.BudgetDailyUsd);
    }

    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task RevokeTakesAnIdOrAPrefixAndRefusesAnAmbiguousOne(string provider)
    {
        var database = await DatabaseAsync(provider);
        var store = new KeyStore(database, _time);
        var first = await store.CreateAsync(new KeySpec { Name = "a" }, Ct);
        var second = await store.CreateAsync(new KeySpec { Name = "b" }, Ct);
        await using (var context = database.CreateContext())
        {
            // Two keys whose displayed prefixes share their first 10 characters.
            context.Keys.Add(new Entities.KeyEntity { Id = "key_twin1", Name = "t1", Prefix = "sk-sb-TWINa", KeyHash = new byte[32], CreatedAt = DateTime.UtcNow });
            context.Keys.Add(new Entities.KeyEntity { Id = "key_twin2", Name = "t2", Prefix = "sk-sb-TWINb", KeyHash = Enumerable.Repeat((byte)1, 32).ToArray(), CreatedAt = DateTime.UtcNow });
            await context.SaveChangesAsync(Ct);
        }

        Assert.Equal(RevokeOutcome.Ambiguous, (await store.RevokeAsync("sk-sb-TWIN", Ct)).Outcome);
        Assert.Equal(RevokeOutcome.NotFound, (await store.RevokeAsync("sk-sb-", Ct)).Outcome);
        Assert.Equal(RevokeOutcome.NotFound, (await store.RevokeAsync("key_nothing", Ct)).Outcome);
        Assert.Equal(RevokeOutcome.Revoked, (await store.RevokeAsync(first.Info.Key.Prefix, Ct)).Outcome);
        Assert.Equal(RevokeOutcome.AlreadyRevoked, (await store.RevokeAsync(first.Info.Key.Id, Ct)).Outcome);
        Assert.Equal(RevokeOutcome.Revoked, (await store.RevokeAsync(second.Info.Key.Id, Ct)).Outcome);

        Assert.Equal(["key_twin1", "key_twin2"], (await store.ListAsync(includeRevoked: false, Ct)).Select(k => k.Key.Id).Order());
        Assert.Equal(4, (await store.ListAsync(includeRevoked: true, Ct)).Count);
        Assert.NotNull((await store.FindByHashAsync(KeyHasher.Hash(first.Secret), Ct))!.RevokedAt);
    }

    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task LastUsedOnlyMovesForward(string provider)
    {
        var store = new KeyStore(await DatabaseAsync(provider), _time);
        var key = await store.CreateAsync(new KeySpec { Name = "a" }, Ct);
        var later = _time.GetUtcNow().AddMinutes(5);

        await store.TouchAsync(new Dictionary<string, DateTimeOffset> { [key.Info.Key.Id] = later }, Ct);
        await store.TouchAsync(new Dictionary<string, DateTimeOffset> { [key.Info.Key.Id] = later.AddMinutes(-1) }, Ct);

        var listed = Assert.Single(await store.ListAsync(false, Ct));
        Assert.Equal(later, listed.LastUsedAt);
    }
}
