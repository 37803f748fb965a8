namespace Switchboard.Data.Entities;

/// <summary>
/// A row of <c>key_spend</c>: what one virtual key spent on one UTC day, in nano-USD. The usage writer adds each
/// batch's costs in the transaction that inserts its rows, so it always equals the sum of the key's usage rows of that
/// day; budgets and the admin API read a key's spend from here instead of summing its rows.
/// </summary>
public sealed class KeySpendEntity
{
    public required string KeyId { get; set; }

    public DateOnly Day { get; set; }

    public long NanoUsd { get; set; }
}
