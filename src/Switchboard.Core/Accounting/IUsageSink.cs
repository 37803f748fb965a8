namespace Switchboard.Accounting;

/// <summary>
/// Takes usage records off the request path. <see cref="TryEnqueue"/> never blocks and never throws: a full
/// queue or a stopped writer sends the record to the local spill file instead, to be written later.
/// </summary>
public interface IUsageSink
{
    /// <summary>Queues one record for the database; returns false only when it had to go to the spill file directly.</summary>
    bool TryEnqueue(UsageRecord record);
}
