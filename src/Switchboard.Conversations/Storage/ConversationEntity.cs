namespace Switchboard.Conversations.Storage;

/// <summary>A row of <c>conversations</c>: one dialogue, its own system prompt and its running summary.</summary>
public sealed class ConversationEntity
{
    public long Id { get; set; }

    /// <summary>Whose conversation it is: <c>global</c> (shared, and every row stored before partitions), <c>key:ID</c> or <c>team:NAME</c>.</summary>
    public required string Partition { get; set; }

    /// <summary>The conversation id clients use (<c>default</c>, <c>support-42</c>), unique within its partition.</summary>
    public required string Name { get; set; }

    /// <summary>The conversation's own system prompt, shown after the service's; null for none.</summary>
    public string? SystemPrompt { get; set; }

    /// <summary>The running summary of turns that no longer fit the window; null for none.</summary>
    public string? Summary { get; set; }

    /// <summary>The sequence number of the newest turn the summary covers (0: none).</summary>
    public long SummaryThrough { get; set; }

    /// <summary>The sequence number of the newest turn (turns are numbered from 1 and never reused).</summary>
    public long LastSeq { get; set; }

    /// <summary>Turns stored now (older ones are deleted past <c>history_limit</c>).</summary>
    public int TurnCount { get; set; }

    /// <summary>Goes up with every change, so a replica's cached copy can tell it is stale.</summary>
    public long Revision { get; set; }

    /// <summary>The model of the last reply.</summary>
    public string? Model { get; set; }

    public DateTime CreatedAt { get; set; }

    public DateTime LastActiveAt { get; set; }
}
