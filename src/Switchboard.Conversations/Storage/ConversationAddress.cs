namespace Switchboard.Conversations.Storage;

/// <summary>Where a conversation is stored: its partition (whose it is) and the id its clients use within it.</summary>
public sealed record ConversationAddress
{
    /// <param name="partition"><c>global</c>, <c>key:ID</c> or <c>team:NAME</c>.</param>
    /// <param name="name">The conversation id clients use (<c>default</c>, <c>support-42</c>).</param>
    public ConversationAddress(string partition, string name)
    {
        ArgumentNullException.ThrowIfNull(partition);
        ArgumentNullException.ThrowIfNull(name);
        Partition = partition;
        Name = name;
        // Conversation ids have no white space, so the last line break splits the key unambiguously.
        Key = string.Concat(partition, "\n", name);
    }

    public string Partition { get; }

    public string Name { get; }

    /// <summary>One string naming the conversation across partitions: what locks and the in-process cache key on.</summary>
    public string Key { get; }
}
