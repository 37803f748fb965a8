namespace Switchboard.Conversations.Storage;

/// <summary>How a turn's emotes are kept in its row: one space-separated column, null when there are none.</summary>
internal static class StoredEmotes
{
    public static string? Join(IReadOnlyList<string> emotes) => emotes.Count == 0 ? null : string.Join(' ', emotes);

    public static IReadOnlyList<string> Split(string? emotes) =>
        string.IsNullOrEmpty(emotes) ? [] : emotes.Split(' ', StringSplitOptions.RemoveEmptyEntries);
}
