using Microsoft.EntityFrameworkCore;

namespace Switchboard.Data.Tests;

/// <summary>Each provider's migrations build the whole model from an empty database, and match the model.</summary>
public sealed class MigrationTests : DatabaseTest
{
    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task MigrationsCreateEveryTableOnAnEmptyDatabase(string provider)
    {
        var database = await DatabaseAsync(provider);

        await using var context = database.CreateContext();
        Assert.Empty(await context.Database.GetPendingMigrationsAsync(Ct));
        Assert.NotEmpty(await context.Database.GetAppliedMigrationsAsync(Ct));
        Assert.Equal(0, await context.Keys.CountAsync(Ct));
        Assert.Equal(0, await context.Usage.CountAsync(Ct));
        Assert.Equal(0, await context.StoredMessages.CountAsync(Ct));
    }

    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task TheMigrationsOfEachProviderMatchTheModel(string provider)
    {
        // Fails when the model changed without `dotnet ef migrations add` for this provider.
        var database = new SwitchboardDatabase(provider == "postgres"
            ? new DatabaseOptions { Provider = "postgres", Connection = "Host=127.0.0.1" }
            : TestDatabases.Sqlite(Folder));
        await using var context = database.CreateContext();

        Assert.False(context.Database.HasPendingModelChanges());
    }

    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task MigratingTwiceChangesNothing(string provider)
    {
        var options = await OptionsAsync(provider);
        await TestDatabases.MigratedAsync(options);

        var again = await TestDatabases.MigratedAsync(options);

        await using var context = again.CreateContext();
        Assert.Empty(await context.Database.GetPendingMigrationsAsync(Ct));
    }
}
