using BenchmarkDotNet.Running;

// dotnet run -c Release --project benchmarks/Switchboard.Benchmarks -- --filter '*'
// (any BenchmarkDotNet argument works: --job short, --list flat, --exporters json ...)
BenchmarkSwitcher.FromAssembly(typeof(Switchboard.Benchmarks.Payloads).Assembly).Run(args);
