using System.Globalization;

namespace Switchboard.Benchmarks;

/// <summary>
/// The issue-9 stages' CPU per request as the calling thread's CPU time (<see cref="ThreadCpu"/>) and bytes allocated,
/// over many requests, scenarios interleaved round by round (same scenarios as <see cref="AccessStageBenchmarks"/>):
/// on a crowded machine wall-clock figures grow with everyone else's load, CPU time much less.
/// <c>dotnet run -c Release --project benchmarks/Switchboard.Benchmarks -- access-cpu [ITERATIONS]</c>
/// </summary>
public static class AccessStageCpu
{
    public static void Run(string[] args)
    {
        var iterations = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 100_000;
        var bench = new AccessStageBenchmarks();
        bench.Setup();
        try
        {
            (string Name, Func<ValueTask<int>> Run)[] scenarios =
            [
                ("pipeline without the issue-9 stages", bench.Plain),
                ("auth: virtual key (verified-key cache)", bench.Auth),
                ("rate limits in memory: key RPM/TPM/budget + model RPM/TPM, admit + settle", bench.Limits),
                ("usage record built and queued", bench.Usage),
                ("all: usage + auth + limits + model access", bench.All),
                ("  of which: verified-key lookup", bench.KeyLookup),
                ("  of which: prompt counted for TPM (o200k, 2 messages)", bench.TokenEstimate),
                ("wrong-key throttle (first middleware), no address refused", bench.ThrottleIdle),
                ("wrong-key throttle, another address refused", bench.ThrottleBusy),
                ("wrong-key throttle, refused address, verified virtual key let through", bench.ThrottleVerified),
            ];
            var cpu = scenarios.ToDictionary(s => s.Name, _ => new List<double>());
            var bytes = scenarios.ToDictionary(s => s.Name, _ => 0.0);
            for (var round = 0; round < 6; round++)
            {
                foreach (var (name, run) in scenarios)
                {
                    var allocated = GC.GetAllocatedBytesForCurrentThread();
                    var started = ThreadCpu.Now();
                    for (var i = 0; i < iterations; i++)
                    {
                        var pending = run();
                        if (!pending.IsCompletedSuccessfully)
                        {
                            pending.AsTask().GetAwaiter().GetResult();
                        }
                    }

                    // Round 0 warms up (JIT tiers, caches) and is not counted.
                    if (round > 0)
                    {
                        cpu[name].Add((ThreadCpu.Now() - started).TotalMicroseconds / iterations);
                        bytes[name] = (double)(GC.GetAllocatedBytesForCurrentThread() - allocated) / iterations;
                    }
                }
            }

            Console.WriteLine($"issue-9 stages, CPU µs per request (thread CPU time, median of 5 rounds of {iterations:N0}), {DateTimeOffset.UtcNow:yyyy-MM-dd HH:mm} UTC, load average {File.ReadAllText("/proc/loadavg")[..14]}");
            Console.WriteLine("| scenario | CPU µs/req | range | allocated B/req |");
            Console.WriteLine("| --- | ---: | ---: | ---: |");
            foreach (var (name, values) in cpu)
            {
                values.Sort();
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {name} | {values[values.Count / 2]:0.00} | {values[0]:0.00}–{values[^1]:0.00} | {bytes[name]:0} |"));
            }
        }
        finally
        {
            bench.Cleanup();
        }
    }
}
