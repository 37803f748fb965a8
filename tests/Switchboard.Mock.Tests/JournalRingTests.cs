using System.Text;
using Switchboard.Mock.Server.Journal;

namespace Switchboard.Mock.Tests;

/// <summary>
/// The journal keeps its entries' bodies in a ring of reused chunks: what it returns must not change, whatever the
/// ring writes over (wrap-around, eviction by count and by bytes, entries held after their bytes are reused, threads).
/// </summary>
public sealed class JournalRingTests
{
    // 64 KiB chunks (the smallest), bodies of up to 8 KiB written into them.
    private const long SmallRing = 64 * 1024;

    private static readonly Func<byte[], string> ReadText = bytes => Encoding.UTF8.GetString(bytes);

    [Fact]
    public void KeepsTheLastBodiesIntactAfterTheRingWrapsManyTimes()
    {
        var journal = new RequestJournal(capacity: 5, SmallRing);
        for (var i = 1; i <= 1_000; i++)
        {
            journal.Add(EntryWithBody(i, 3_000));
        }

        var entries = journal.Snapshot();
        Assert.Equal([996L, 997L, 998L, 999L, 1000L], entries.Select(e => e.Sequence));
        Assert.All(entries, AssertOwnBody);
        // 3 MB of bodies went through; the ring reused its chunks instead of growing.
        Assert.Equal(2 * SmallRing, journal.RingBytes);
    }

    [Fact]
    public void DropsTheOldestEntriesByCountWithTheirBodies()
    {
        var journal = new RequestJournal(capacity: 30, SmallRing * 1_000);
        for (var i = 1; i <= 100; i++)
        {
            journal.Add(EntryWithBody(i, 5_000 + i));
        }

        var entries = journal.Snapshot();
        Assert.Equal(Enumerable.Range(71, 30).Select(i => (long)i), entries.Select(e => e.Sequence));
        Assert.All(entries, AssertOwnBody);
        Assert.Equal(entries.Sum(e => RequestJournal.EntryOverheadBytes + e.BodyBytes), journal.Bytes);
    }

    [Fact]
    public void DropsTheOldestEntriesByBytesWithTheirBodies()
    {
        const int body = 4_000;
        var journal = new RequestJournal(capacity: 1_000, maxBytes: 7 * (RequestJournal.EntryOverheadBytes + body));
        for (var i = 1; i <= 200; i++)
        {
            journal.Add(EntryWithBody(i, body));
        }

        var entries = journal.Snapshot();
        Assert.Equal(Enumerable.Range(194, 7).Select(i => (long)i), entries.Select(e => e.Sequence));
        Assert.All(entries, AssertOwnBody);
        Assert.Equal(7 * (RequestJournal.EntryOverheadBytes + body), journal.Bytes);
    }

    [Fact]
    public void GrowsTheRingRatherThanDropWhatItsBoundsKeep()
    {
        // The byte bound keeps 18 bodies of 3 KB (63 KB with the overhead): more than the 21 of a 64 KiB chunk can
        // leave free once the write position wraps, so the ring needs a second and third chunk, not fewer entries.
        var journal = new RequestJournal(capacity: 1_000, SmallRing);
        for (var i = 1; i <= 600; i++)
        {
            journal.Add(EntryWithBody(i, 3_000));
        }

        var entries = journal.Snapshot();
        Assert.Equal(Enumerable.Range(583, 18).Select(i => (long)i), entries.Select(e => e.Sequence));
        Assert.All(entries, AssertOwnBody);
        Assert.InRange(journal.RingBytes, 2 * SmallRing, 3 * SmallRing);
    }

    [Fact]
    public void ASnapshotEntryStillReturnsItsBodyAfterTheRingReusedItsBytes()
    {
        var journal = new RequestJournal(capacity: 3, SmallRing);
        for (var i = 1; i <= 3; i++)
        {
            journal.Add(EntryWithBody(i, 6_000));
        }

        // Held, not read, while hundreds of bodies go through the ring's two chunks.
        var held = journal.Snapshot();
        var copied = held[0] with { Outcome = "miss" };
        for (var i = 4; i <= 500; i++)
        {
            journal.Add(EntryWithBody(i, 6_000));
        }

        Assert.Equal([1L, 2L, 3L], held.Select(e => e.Sequence));
        Assert.All(held, AssertOwnBody);
        AssertOwnBody(copied);
        Assert.All(journal.Snapshot(), AssertOwnBody);
    }

    [Fact]
    public void ASnapshotEntryReadBeforeItsBytesAreReusedKeepsItsBody()
    {
        var journal = new RequestJournal(capacity: 2, SmallRing);
        journal.Add(EntryWithBody(1, 6_000));
        var held = Assert.Single(journal.Snapshot());
        AssertOwnBody(held);
        for (var i = 2; i <= 300; i++)
        {
            journal.Add(EntryWithBody(i, 6_000));
        }

        // Read again from a new, untouched twin as well: the copy made on the first read is what both see.
        AssertOwnBody(held);
        AssertOwnBody(held with { });
    }

    [Fact]
    public void EntriesHandedOutByAddAndAddedKeepTheirBodies()
    {
        var journal = new RequestJournal(capacity: 2, SmallRing);
        var raised = new List<JournalEntry>();
        journal.Added += (_, entry) => raised.Add(entry);
        var returned = Enumerable.Range(1, 200).Select(i => journal.Add(EntryWithBody(i, 5_000))).ToList();

        Assert.Equal(Enumerable.Range(1, 200).Select(i => (long)i), returned.Select(e => e.Sequence));
        Assert.All(returned, AssertOwnBody);
        Assert.Equal(returned.Select(e => e.Sequence), raised.Select(e => e.Sequence));
        Assert.All(raised, AssertOwnBody);
    }

    [Fact]
    public void ASnapshotEntryKeepsItsBodyAfterTheJournalIsCleared()
    {
        var journal = new RequestJournal(capacity: 10, SmallRing);
        journal.Add(EntryWithBody(1, 2_000));
        var held = Assert.Single(journal.Snapshot());
        journal.Clear();
        journal.Add(EntryWithBody(2, 2_000));

        AssertOwnBody(held);
        Assert.Equal(1, journal.Snapshot().Single().Sequence);
        Assert.All(journal.Snapshot(), AssertOwnBody);
    }

    [Fact]
    public void ABodyTooLargeForTheRingIsKeptAsItsOwnArray()
    {
        var journal = new RequestJournal(capacity: 4, SmallRing * 10);
        journal.Add(EntryWithBody(1, 100));
        journal.Add(EntryWithBody(2, 200_000));
        journal.Add(EntryWithBody(3, 300));

        var entries = journal.Snapshot();
        Assert.All(entries, AssertOwnBody);
        Assert.Equal([100L, 200_000L, 300L], entries.Select(e => e.BodyBytes));
    }

    [Fact]
    public void AnEntryAddedAgainFromASnapshotKeepsItsBody()
    {
        var journal = new RequestJournal(capacity: 2, SmallRing);
        journal.Add(EntryWithBody(1, 2_000));
        var again = journal.Add(journal.Snapshot().Single());
        for (var i = 2; i <= 200; i++)
        {
            journal.Add(EntryWithBody(i, 2_000));
        }

        Assert.Equal(2, again.Sequence);
        AssertOwnBody(again);
    }

    [Fact]
    public async Task ConcurrentAddsAndReadsSeeOnlyEachEntrysOwnBody()
    {
        // Bodies of 200-1,400 bytes: 20 of them stay within the byte bound, so the count alone decides.
        var journal = new RequestJournal(capacity: 20, SmallRing);
        const int writers = 4;
        const int perWriter = 2_000;
        var failures = new List<string>();
        var writing = Enumerable.Range(0, writers).Select(w => Task.Run(() =>
        {
            for (var i = 0; i < perWriter; i++)
            {
                // Sizes vary so that bodies land at every offset of the chunks.
                journal.Add(EntryWithBody((w * perWriter) + i, 200 + ((i * 37) % 1_200)));
            }
        }, TestContext.Current.CancellationToken)).ToArray();
        var reading = Task.Run(() =>
        {
            while (!writing.All(t => t.IsCompleted))
            {
                foreach (var entry in journal.Snapshot())
                {
                    if (Describe(entry) is { } problem)
                    {
                        lock (failures)
                        {
                            failures.Add(problem);
                        }
                    }
                }
            }
        }, TestContext.Current.CancellationToken);

        await Task.WhenAll([.. writing, reading]);
        Assert.Empty(failures);
        var last = journal.Snapshot();
        Assert.Equal(Enumerable.Range((writers * perWriter) - 19, 20).Select(i => (long)i), last.Select(e => e.Sequence));
        Assert.All(last, AssertOwnBody);
    }

    /// <summary>An entry whose body is a JSON object of about <paramref name="size"/> bytes naming <paramref name="id"/> (also its model).</summary>
    private static JournalEntry EntryWithBody(int id, int size)
    {
        var prefix = $$"""{"id":{{id}},"pad":" """;
        var body = Encoding.UTF8.GetBytes(prefix + new string((char)('a' + (id % 26)), Math.Max(0, size - prefix.Length - 2)) + "\"}");
        return new JournalEntry
        {
            Method = "POST",
            Path = "/v1/chat/completions",
            Outcome = "matched",
            Model = id.ToString(System.Globalization.CultureInfo.InvariantCulture),
            RawBody = body,
            BodyBytes = body.Length,
            LastUserMessageReader = ReadText,
        };
    }

    private static void AssertOwnBody(JournalEntry entry) => Assert.Null(Describe(entry));

    /// <summary>What is wrong with the entry's body, or null when it is the one its entry was added with.</summary>
    private static string? Describe(JournalEntry entry)
    {
        var id = int.Parse(entry.Model!, System.Globalization.CultureInfo.InvariantCulture);
        var body = entry.Body;
        if (body is null || body.Value.GetProperty("id").GetInt32() != id)
        {
            var text = body?.GetRawText() ?? "null";
            return $"entry {entry.Sequence} (id {id}) has the body {text[..Math.Min(40, text.Length)]}";
        }

        var pad = body.Value.GetProperty("pad").GetString()!;
        var letter = (char)('a' + (id % 26));
        if (pad.Length != Math.Max(0, (int)entry.BodyBytes - $$"""{"id":{{id}},"pad":" """.Length - 2) + 1 || pad.AsSpan(1).ContainsAnyExcept(letter))
        {
            return $"entry {entry.Sequence} (id {id}) has a body with other bytes";
        }

        return entry.LastUserMessage == body.Value.GetRawText() ? null : $"entry {entry.Sequence} (id {id}) reads another text";
    }
}
