using System.Globalization;

namespace Switchboard.LoadTest;

/// <summary>Reads a process's CPU time and resident memory, and the machine's busy time, from <c>/proc</c> (Linux).</summary>
internal static class ProcStats
{
    /// <summary>USER_HZ: the unit of the times in <c>/proc/PID/stat</c>; 100 on every Linux ABI .NET runs on.</summary>
    private const double TicksPerSecond = 100;

    /// <summary>utime + stime of <paramref name="pid"/> in seconds, or null if the process is gone.</summary>
    public static double? CpuSeconds(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            // The command name (field 2) is in parentheses and may contain spaces: split after the last ')'.
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            var utime = long.Parse(fields[11], CultureInfo.InvariantCulture);
            var stime = long.Parse(fields[12], CultureInfo.InvariantCulture);
            return (utime + stime) / TicksPerSecond;
        }
        catch (IOException)
        {
            return null;
        }
    }

    /// <summary>VmRSS of <paramref name="pid"/> in MiB, or null if the process is gone.</summary>
    public static double? RssMiB(int pid)
    {
        try
        {
            foreach (var line in File.ReadLines($"/proc/{pid}/status"))
            {
                if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
                {
                    var kb = long.Parse(line.AsSpan(6).Trim().TrimEnd("kB").Trim(), CultureInfo.InvariantCulture);
                    return kb / 1024.0;
                }
            }
        }
        catch (IOException)
        {
        }

        return null;
    }

    /// <summary>(busy, total) jiffies of all CPUs together, from the first line of <c>/proc/stat</c>.</summary>
    public static (long Busy, long Total) MachineTicks()
    {
        var line = File.ReadLines("/proc/stat").First();
        var values = line.Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1).Select(v => long.Parse(v, CultureInfo.InvariantCulture)).ToArray();
        var total = values.Take(8).Sum();
        var idle = values[3] + values[4];
        return (total - idle, total);
    }
}
