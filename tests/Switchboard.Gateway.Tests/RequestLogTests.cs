using Switchboard.Gateway.Dashboard;

namespace Switchboard.Gateway.Tests;

/// <summary>The dashboard's in-memory request log: its minute totals at the edges of a range.</summary>
public sealed class RequestLogTests
{
    private static readonly DateTimeOffset MinuteStart = new(2026, 12, 5, 10, 0, 0, TimeSpan.Zero);

    [Fact]
    public void ARangeEndingInTheFirstSecondOfAMinuteCountsThatMinutesRequests()
    {
        // The overview asks for [now - 1 h, now); a request made at 10:00:00.2 and the overview read at 10:00:00.7
        // once fell out of it because `now` was rounded down to whole seconds (DashboardApiTests flaked on that).
        var log = new RequestLog();
        log.Add(Record("req_a", MinuteStart.AddMilliseconds(200)));
        var totals = Assert.Single(log.Series(MinuteStart.AddHours(-1), MinuteStart.AddMilliseconds(700), int.MaxValue));
        Assert.Equal(1, totals.Requests);
    }

    [Fact]
    public void ARangeEndingExactlyOnAMinuteLeavesThatMinuteOut()
    {
        var log = new RequestLog();
        log.Add(Record("req_before", MinuteStart.AddSeconds(-1)));
        log.Add(Record("req_after", MinuteStart.AddMilliseconds(1)));
        var points = log.Series(MinuteStart.AddMinutes(-2), MinuteStart, 1);
        Assert.Equal(2, points.Count);
        Assert.Equal(1, points.Sum(p => p.Requests));
    }

    private static RequestRecord Record(string id, DateTimeOffset time) => new()
    {
        Id = id,
        Time = time,
        Operation = "chat",
        Model = "mock-echo",
        Status = 200,
        LatencyMs = 5,
    };
}
