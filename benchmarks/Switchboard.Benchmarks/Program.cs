using BenchmarkDotNet.Running;

// dotnet run -c Release --project benchmarks/Switchboard.Benchmarks -- --filter '*'
// (any BenchmarkDotNet argument works: --job short, --list flat, --exporters json ...)
// dotnet run -c Release --project benchmarks/Switchboard.Benchmarks -- cache   (semantic cache latency percentiles)
if (args is ["cache", ..])
{
    await Switchboard.Benchmarks.CacheLatency.RunAsync(args[1..]);
    return;
}

BenchmarkSwitcher.FromAssembly(typeof(Switchboard.Benchmarks.Payloads).Assembly).Run(args);
