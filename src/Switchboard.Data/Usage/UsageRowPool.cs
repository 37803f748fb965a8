using System.Collections.Concurrent;

namespace Switchboard.Data.Usage;

/// <summary>
/// The usage rows not in use. A row is taken when a record is queued and given back once its batch is written or
/// spilled, so the pool never holds more rows than the queue and one batch needed at their fullest.
/// </summary>
internal sealed class UsageRowPool
{
    private readonly ConcurrentQueue<UsageRow> _free = new();

    public UsageRow Rent() => _free.TryDequeue(out var row) ? row : new UsageRow();

    public void Return(UsageRow row)
    {
        row.Clear();
        _free.Enqueue(row);
    }
}
