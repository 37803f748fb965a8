using BenchmarkDotNet.Running;

// dotnet run -c Release --project benchmarks/Switchboard.Benchmarks -- --filter '*'
// (any BenchmarkDotNet argument works: --job short, --list flat, --exporters json ...)
// dotnet run -c Release --project benchmarks/Switchboard.Benchmarks -- cache   (semantic cache latency percentiles)
// dotnet run -c Release --project benchmarks/Switchboard.Benchmarks -- conversations [MESSAGES]   (conversations service overhead percentiles)
if (args is ["conversations", ..])
{
    await Switchboard.Benchmarks.ConversationLatency.RunAsync(args[1..]);
    return;
}

if (args is ["cache", ..])
{
    await Switchboard.Benchmarks.CacheLatency.RunAsync(args[1..]);
    return;
}

BenchmarkSwitcher.FromAssembly(typeof(Switchboard.Benchmarks.Payloads).Assembly).Run(args);
