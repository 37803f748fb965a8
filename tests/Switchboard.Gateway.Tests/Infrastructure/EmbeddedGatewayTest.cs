namespace Switchboard.Gateway.Tests.Infrastructure;

/// <summary>A test class whose every test gets its own gateway, started with the embedded default configuration.</summary>
public abstract class EmbeddedGatewayTest : IAsyncLifetime
{
    protected TestGateway Gateway { get; private set; } = null!;

    public async ValueTask InitializeAsync() => Gateway = await TestGateway.StartAsync();

    public async ValueTask DisposeAsync() => await Gateway.DisposeAsync();
}
