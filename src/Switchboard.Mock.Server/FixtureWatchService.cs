using Microsoft.Extensions.Hosting;
using Switchboard.Mock.Loading;

namespace Switchboard.Mock.Server;

/// <summary>Starts the fixture watcher with the server and stops it with it.</summary>
internal sealed class FixtureWatchService(FixtureWatcher watcher) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        watcher.Start();
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        watcher.Dispose();
        return Task.CompletedTask;
    }
}
