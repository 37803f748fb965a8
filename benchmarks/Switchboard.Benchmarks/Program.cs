using BenchmarkDotNet.Running;

// dotnet run -c Release --project benchmarks/Switchboard.Benchmarks -- --filter '*'
// (any BenchmarkDotNet argument works: --job short, --list flat, --exporters json ...)
// dotnet run -c Release --project benchmarks/Switchboard.Benchmarks -- cache   (semantic cache latency percentiles)
// dotnet run -c Release --project benchmarks/Switchboard.Benchmarks -- limits-cpu [host:port]   (limiter CPU per request)
// dotnet run -c Release --project benchmarks/Switchboard.Benchmarks -- conversations [MESSAGES]   (conversations service overhead percentiles)
if (args is ["conversations", ..])
{
    await Switchboard.Benchmarks.ConversationLatency.RunAsync(args[1..]);
    return;
}

// dotnet run -c Release --project benchmarks/Switchboard.Benchmarks -- cache-cpu [ITERATIONS]   (cache stages: CPU per request)
if (args is ["cache-cpu", ..])
{
    Switchboard.Benchmarks.CacheStageCpu.Run(args[1..]);
    return;
}

// dotnet run -c Release --project benchmarks/Switchboard.Benchmarks -- hnsw [ENTRIES]   (HNSW insert CPU, search CPU, recall)
if (args is ["hnsw", ..])
{
    Switchboard.Benchmarks.HnswBuild.Run(args[1..]);
    return;
}

// dotnet run -c Release --project benchmarks/Switchboard.Benchmarks -- mock-cpu [ITERATIONS] [TURNS] [STAGE]   (the mock's stages on Rasa turns: CPU per request; STAGE: only those whose name contains it)
if (args is ["mock-cpu", ..])
{
    Switchboard.Benchmarks.MockStageCpu.Run(args[1..]);
    return;
}

if (args is ["cache", ..])
{
    await Switchboard.Benchmarks.CacheLatency.RunAsync(args[1..]);
    return;
}

// dotnet run -c Release --project benchmarks/Switchboard.Benchmarks -- access-cpu [ITERATIONS]   (auth, limits, usage stages: CPU per request)
if (args is ["access-cpu", ..])
{
    Switchboard.Benchmarks.AccessStageCpu.Run(args[1..]);
    return;
}

// dotnet run -c Release --project benchmarks/Switchboard.Benchmarks -- usage-cpu [ROWS] [NPGSQL-CONNECTION]   (usage writer: CPU per row)
if (args is ["usage-cpu", ..])
{
    await Switchboard.Benchmarks.UsageWriterCpu.RunAsync(args[1..]);
    return;
}

if (args is ["limits-cpu", ..])
{
    await Switchboard.Benchmarks.LimiterCpu.RunAsync(args[1..]);
    return;
}

BenchmarkSwitcher.FromAssembly(typeof(Switchboard.Benchmarks.Payloads).Assembly).Run(args);
