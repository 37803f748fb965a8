namespace Switchboard.Conversations.Configuration;

/// <summary>The values of <c>conversations.partition</c>, and the partitions conversations are stored in.</summary>
public static class ConversationPartitions
{
    /// <summary>Each virtual key has its own conversations.</summary>
    public const string Key = "key";

    /// <summary>The keys of one team share their conversations (a key without a team keeps its own).</summary>
    public const string Team = "team";

    /// <summary>Every caller shares one set of conversations, as without keys.</summary>
    public const string Global = "global";

    /// <summary>
    /// The partition shared by everyone: the only one of an open gateway and of <c>partition: global</c>, the master
    /// key's own, and where conversations stored before partitions existed live.
    /// </summary>
    public const string Shared = "global";

    /// <summary>The prefix of a virtual key's partition (<c>key:ID</c>, the key's id as <c>keys list</c> shows it).</summary>
    public const string KeyPrefix = "key:";

    /// <summary>The prefix of a team's partition (<c>team:NAME</c>).</summary>
    public const string TeamPrefix = "team:";

    /// <summary>The longest partition stored: room for <c>team:</c> and a team name (at most 200 characters in the keys table).</summary>
    public const int MaxLength = 256;

    /// <summary>
    /// Whether <paramref name="partition"/> is shaped like a partition: <c>global</c>, <c>key:ID</c> or <c>team:NAME</c>
    /// (team names may hold spaces; no partition holds a control character).
    /// </summary>
    public static bool IsWellFormed(string partition)
    {
        ArgumentNullException.ThrowIfNull(partition);
        if (partition == Shared)
        {
            return true;
        }

        if (partition.Length > MaxLength || partition.Any(char.IsControl))
        {
            return false;
        }

        return (partition.StartsWith(KeyPrefix, StringComparison.Ordinal) && partition.Length > KeyPrefix.Length)
            || (partition.StartsWith(TeamPrefix, StringComparison.Ordinal) && partition.Length > TeamPrefix.Length);
    }
}
