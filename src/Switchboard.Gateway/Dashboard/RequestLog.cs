using System.Threading.Channels;

namespace Switchboard.Gateway.Dashboard;

/// <summary>
/// The dashboard's memory of this process: the last requests (newest first), per-minute totals for the overview
/// (a day of them), and the live feed. Process-local and lost on restart; durable per-request history is the
/// usage table's (issue 9).
/// </summary>
public sealed class RequestLog
{
    private readonly object _gate = new();
    private readonly RequestRecord?[] _recent;
    private readonly MinuteBucket[] _minutes;
    private readonly List<Channel<RequestRecord>> _subscribers = [];
    private int _next;
    private int _count;

    /// <param name="capacity">How many recent requests to keep.</param>
    /// <param name="minutes">How many minutes of totals to keep.</param>
    public RequestLog(int capacity = 1000, int minutes = 24 * 60)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(minutes, 1);
        _recent = new RequestRecord?[capacity];
        _minutes = new MinuteBucket[minutes];
    }

    /// <summary>How many recent requests are kept.</summary>
    public int Capacity => _recent.Length;

    /// <summary>Keeps a finished request and sends it to live subscribers (a slow one loses its oldest events, never blocks this).</summary>
    public void Add(RequestRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        lock (_gate)
        {
            _recent[_next] = record;
            _next = (_next + 1) % _recent.Length;
            _count = Math.Min(_count + 1, _recent.Length);

            var minute = record.Time.ToUnixTimeSeconds() / 60;
            ref var bucket = ref _minutes[(int)(minute % _minutes.Length)];
            if (bucket.Minute != minute)
            {
                bucket = new MinuteBucket(minute);
            }

            bucket.Add(record);
            foreach (var subscriber in _subscribers)
            {
                subscriber.Writer.TryWrite(record);
            }
        }
    }

    /// <summary>Recent requests, newest first, that pass <paramref name="filter"/>.</summary>
    public IReadOnlyList<RequestRecord> Recent(RequestFilter filter, int limit)
    {
        ArgumentNullException.ThrowIfNull(filter);
        var found = new List<RequestRecord>(Math.Min(limit, 100));
        lock (_gate)
        {
            for (var i = 1; i <= _count && found.Count < limit; i++)
            {
                var record = _recent[(_next - i + _recent.Length) % _recent.Length]!;
                if (filter.Matches(record))
                {
                    found.Add(record);
                }
            }
        }

        return found;
    }

    /// <summary>A recent request by its id; null when unknown or already forgotten.</summary>
    public RequestRecord? Find(string id)
    {
        lock (_gate)
        {
            for (var i = 1; i <= _count; i++)
            {
                var record = _recent[(_next - i + _recent.Length) % _recent.Length]!;
                if (record.Id == id)
                {
                    return record;
                }
            }
        }

        return null;
    }

    /// <summary>Per-interval totals from <paramref name="from"/> (inclusive) to <paramref name="to"/> (exclusive), <paramref name="step"/> minutes each.</summary>
    public IReadOnlyList<SeriesPoint> Series(DateTimeOffset from, DateTimeOffset to, int step)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(step, 1);
        var first = from.ToUnixTimeSeconds() / 60;
        var last = (to.ToUnixTimeSeconds() + 59) / 60;
        var points = new List<SeriesPoint>();
        lock (_gate)
        {
            for (var start = first; start < last; start += step)
            {
                var sum = new MinuteBucket(start);
                for (var minute = start; minute < Math.Min(start + step, last); minute++)
                {
                    var bucket = _minutes[(int)(minute % _minutes.Length)];
                    if (bucket.Minute == minute)
                    {
                        sum.Merge(bucket);
                    }
                }

                points.Add(sum.ToPoint());
            }
        }

        return points;
    }

    /// <summary>A live feed of requests as they finish; complete the returned channel's reader by disposing the subscription.</summary>
    public Subscription Subscribe()
    {
        var channel = Channel.CreateBounded<RequestRecord>(new BoundedChannelOptions(256) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true });
        lock (_gate)
        {
            _subscribers.Add(channel);
        }

        return new Subscription(this, channel);
    }

    private void Unsubscribe(Channel<RequestRecord> channel)
    {
        lock (_gate)
        {
            _subscribers.Remove(channel);
        }

        channel.Writer.TryComplete();
    }

    /// <summary>One live subscriber; dispose to stop receiving.</summary>
    public sealed class Subscription : IDisposable
    {
        private readonly RequestLog _log;
        private readonly Channel<RequestRecord> _channel;

        internal Subscription(RequestLog log, Channel<RequestRecord> channel)
        {
            _log = log;
            _channel = channel;
        }

        public ChannelReader<RequestRecord> Reader => _channel.Reader;

        public void Dispose() => _log.Unsubscribe(_channel);
    }
}
