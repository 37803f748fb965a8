using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;

namespace Switchboard.Testing;

/// <summary>Starting and stopping the real servers that tests run on a free loopback port.</summary>
public static class WebApplicationExtensions
{
    /// <summary>The address a started app listens on, without a trailing slash, e.g. <c>http://127.0.0.1:5123</c>.</summary>
    public static string ListeningUrl(this WebApplication app) =>
        app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First().TrimEnd('/');

    /// <summary>Stops the app, giving open requests two seconds to end, then disposes it.</summary>
    public static async ValueTask StopAndDisposeAsync(this WebApplication app)
    {
        using var stopping = new CancellationTokenSource(TimeSpan.FromSeconds(2));
        await app.StopAsync(stopping.Token);
        await app.DisposeAsync();
    }
}
