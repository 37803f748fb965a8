using Switchboard.Data.Entities;

namespace Switchboard.Data.Usage;

/// <summary>One line of the spill file: the rows exactly as they would have been inserted (messages already encrypted).</summary>
internal sealed record SpilledRecord(UsageEntity Usage, StoredMessagesEntity? Messages);
