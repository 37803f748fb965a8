namespace Switchboard.Conversations.Service;

/// <summary>
/// Where one message's time went, in <see cref="System.Diagnostics.Stopwatch"/> ticks, for the benchmark's per-phase
/// split (docs/benchmarks.md). Filled only when <see cref="ConversationService.Phases"/> is set.
/// </summary>
internal sealed class ChatPhases
{
    /// <summary>Waiting for and taking the conversation's turn.</summary>
    public long Lock { get; set; }

    /// <summary>Reading the conversation (its row; its turns when the cached copy is stale).</summary>
    public long Load { get; set; }

    /// <summary>Counting the new message and fitting the window.</summary>
    public long Plan { get; set; }

    /// <summary>The pipeline call with cleaning of the reply.</summary>
    public long Reply { get; set; }

    /// <summary>Writing both turns and the row.</summary>
    public long Save { get; set; }

    /// <summary>Topics and the reply's assembly.</summary>
    public long Finish { get; set; }
}
