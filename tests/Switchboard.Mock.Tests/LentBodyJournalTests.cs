using System.Text;
using Switchboard.Mock.Server.Journal;

namespace Switchboard.Mock.Tests;

/// <summary>
/// The server lends the journal each request's body in a pooled buffer that it reuses once the request ends: the
/// journal must copy whatever it keeps or hands out, so that no entry ever reads another request's bytes.
/// </summary>
public sealed class LentBodyJournalTests
{
    // 64 KiB chunks (the smallest): bodies of up to 8 KiB go into the ring, larger ones into arrays of their own.
    private const long SmallRing = 64 * 1024;

    private static readonly Func<byte[], string> ReadText = bytes => Encoding.UTF8.GetString(bytes);

    [Fact]
    public void EntriesKeepTheirBodiesAfterTheLenderReusesItsBuffer()
    {
        var journal = new RequestJournal(capacity: 20, SmallRing);
        var buffer = new byte[16 * 1024];
        for (var i = 1; i <= 300; i++)
        {
            // Small bodies into the ring, every seventh too large for it.
            var length = Lend(buffer, i, i % 7 == 0 ? 12_000 : 3_000);
            journal.Append(Entry(i, length), buffer.AsSpan(0, length));
        }

        Array.Fill(buffer, (byte)'#');

        // The last ones the byte bound keeps (64 KiB: a few of each size).
        var entries = journal.Snapshot();
        Assert.InRange(entries.Count, 8, 20);
        Assert.Equal(Enumerable.Range(301 - entries.Count, entries.Count).Select(i => (long)i), entries.Select(e => e.Sequence));
        Assert.Contains(entries, e => e.BodyBytes > 8 * 1024);
        Assert.All(entries, AssertOwnBody);
    }

    [Fact]
    public void EntriesHandedToListenersHaveTheirOwnCopyOfTheLentBytes()
    {
        var journal = new RequestJournal(capacity: 3, SmallRing);
        var handed = new List<JournalEntry>();
        journal.Added += (_, entry) => handed.Add(entry);
        var buffer = new byte[16 * 1024];
        for (var i = 1; i <= 50; i++)
        {
            var length = Lend(buffer, i, i % 5 == 0 ? 10_000 : 2_000 + i);
            journal.Append(Entry(i, length), buffer.AsSpan(0, length));
        }

        Array.Fill(buffer, (byte)'#');

        Assert.Equal(Enumerable.Range(1, 50).Select(i => (long)i), handed.Select(e => e.Sequence));
        Assert.All(handed, AssertOwnBody);
        Assert.All(journal.Snapshot(), AssertOwnBody);
    }

    [Fact]
    public void AJournalThatKeepsNothingStillHandsOutTheLentBody()
    {
        var journal = new RequestJournal(capacity: 0, SmallRing);
        JournalEntry? handed = null;
        journal.Added += (_, entry) => handed = entry;
        var buffer = new byte[4096];
        var length = Lend(buffer, 7, 1_000);

        journal.Append(Entry(7, length), buffer.AsSpan(0, length));
        Array.Fill(buffer, (byte)'#');

        Assert.Empty(journal.Snapshot());
        AssertOwnBody(handed!);
    }

    // Writes the body of entry `id` into the start of `buffer` (whatever was there): {"id":N,"pad":"xxx…"}.
    private static int Lend(byte[] buffer, int id, int size)
    {
        var prefix = $$"""{"id":{{id}},"pad":" """;
        var body = Encoding.UTF8.GetBytes(prefix + new string((char)('a' + (id % 26)), size - prefix.Length - 2) + "\"}");
        body.CopyTo(buffer, 0);
        return body.Length;
    }

    private static JournalEntry Entry(int id, int length) => new()
    {
        Method = "POST",
        Path = "/v1/chat/completions",
        Outcome = "matched",
        Model = id.ToString(System.Globalization.CultureInfo.InvariantCulture),
        BodyBytes = length,
        LastUserMessageReader = ReadText,
    };

    private static void AssertOwnBody(JournalEntry entry)
    {
        var id = int.Parse(entry.Model!, System.Globalization.CultureInfo.InvariantCulture);
        var body = entry.Body;
        Assert.NotNull(body);
        Assert.Equal(id, body.Value.GetProperty("id").GetInt32());
        var pad = body.Value.GetProperty("pad").GetString()!;
        Assert.Equal((int)entry.BodyBytes - $$"""{"id":{{id}},"pad":" """.Length - 2 + 1, pad.Length);
        Assert.False(pad.AsSpan(1).ContainsAnyExcept((char)('a' + (id % 26))), $"entry {entry.Sequence} (id {id}) has a body with other bytes");
        Assert.Equal(body.Value.GetRawText(), entry.LastUserMessage);
    }
}
