using System.Globalization;
using System.Text.Json;
using Switchboard.Hosting.Http;
using Switchboard.LoadTest;
using Switchboard.Mock;
using Switchboard.Mock.Loading;
using Switchboard.Mock.Matching;
using Switchboard.Mock.Server.Journal;
using Switchboard.OpenAI;
using Switchboard.Validation;

namespace Switchboard.Benchmarks;

/// <summary>
/// The mock's in-process path for a Rasa turn, stage by stage, as the calling thread's CPU time per request
/// (<see cref="ThreadCpu"/>) over many requests, stages interleaved round by round: on the shared machine
/// BenchmarkDotNet's wall-clock figures grow with everyone else's load, CPU time much less. Each call takes
/// the next of the turns' bodies (19, or the collection grown to <c>TURNS</c>).
/// </summary>
public static class MockStageCpu
{
    public static void Run(string[] args)
    {
        var iterations = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 20_000;
        var turnCount = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 19;
        // A third argument keeps only the stages whose name contains it (to profile one stage alone).
        var only = args.Length > 2 ? args[2] : null;
        var turns = RasaTurns.Read(MockMatchingBenchmarks.RasaCollectionPath(), turnCount);
        var bodies = turns.Select(t => RasaTurns.Body(t, stream: false)).ToArray();
        var parsed = bodies.Select(b => OpenAIRequestReader.Parse(b, OpenAIJsonContext.Default.ChatCompletionRequest).Value!).ToArray();
        var folder = Path.Combine(Path.GetTempPath(), "switchboard-bench-" + Guid.NewGuid().ToString("N"));
        RasaTurns.WriteCollections(folder, turns);
        var engine = new MockEngine();
        engine.SetAllFileFixtures(FixtureLoader.LoadAll(folder));
        Directory.Delete(folder, recursive: true);

        var next = 0;
        int Next() => next = next + 1 == bodies.Length ? 0 : next + 1;

        var scans = bodies.Select(b => ChatBodyScan.TryScan(b)!).ToArray();
        var unescaped = new byte[16 * 1024];
        var chars = new char[16 * 1024];
        var keyChars = new char[16 * 1024];
        var decoded = bodies.Select((b, i) => { var m = scans[i].Messages[^1]; return unescaped.AsSpan(0, ChatBodyScan.Unescape(b.AsSpan(m.Start, m.Length), unescaped)).ToArray(); }).ToArray();
        var texts = decoded.Select(d => System.Text.Encoding.UTF8.GetString(d)).ToArray();
        // The journal's part: the server reads each body into an array of its own, then journals the entry. Before the
        // ring the journal kept that array with its entry for the last 1,000 requests; now it copies the bytes into
        // its ring and the array dies young. The GC's work lands on this thread (workstation GC), so it is counted.
        var before = new Queue<JournalEntry>();
        var sequence = 0L;
        var journal = new RequestJournal(1_000, 64L * 1024 * 1024);
        byte[] ReadBody(int i)
        {
            var array = GC.AllocateUninitializedArray<byte>(bodies[i].Length);
            bodies[i].CopyTo(array, 0);
            return array;
        }

        static JournalEntry EntryFor(byte[] body) => new()
        {
            Time = DateTimeOffset.UnixEpoch,
            Method = "POST",
            Path = "/v1/chat/completions",
            Model = "rasa",
            Outcome = "matched",
            Status = 200,
            FixtureId = "turn",
            FixtureName = "turn",
            Turn = 0,
            RawBody = body,
            BodyBytes = body.Length,
        };

        // What the server journals for a matched turn (MockEndpoints.ChatAsync's entry).
        var serverJournal = new RequestJournal(1_000, 64L * 1024 * 1024);
        static JournalEntry ServerEntry(MockRequest request, MockExchange exchange, int length, byte[]? raw) => new()
        {
            Time = DateTimeOffset.UnixEpoch,
            Method = "POST",
            Path = "/v1/chat/completions",
            Model = request.Model,
            LastUserMessageReader = static body => body.Length.ToString(CultureInfo.InvariantCulture),
            Stream = request.IsStreaming,
            Outcome = "matched",
            Status = 200,
            FixtureId = exchange.Outcome.Fixture?.Id,
            FixtureName = exchange.Outcome.Fixture?.Name,
            Origin = exchange.Outcome.Fixture?.Source,
            Turn = exchange.Turn,
            RawBody = raw,
            BodyBytes = length,
        };

        (string Name, Func<object?> Run)[] stages =
        [
            ("journal: read the body into an array, keep nothing", () => ReadBody(Next())),
            ("journal: read the body into a pooled array, return it", () =>
            {
                var i = Next();
                var array = System.Buffers.ArrayPool<byte>.Shared.Rent(bodies[i].Length);
                bodies[i].CopyTo(array, 0);
                System.Buffers.ArrayPool<byte>.Shared.Return(array);
                return array;
            }),
            ("journal: read, journal entry and array (last 1,000; before the ring)", () =>
            {
                // The journal's Add before the ring: numbered under the lock, kept with the request's own array.
                lock (before)
                {
                    var entry = EntryFor(ReadBody(Next())) with { Sequence = ++sequence };
                    before.Enqueue(entry);
                    return before.Count > 1_000 ? before.Dequeue() : entry;
                }
            }),
            ("journal: read, journal the entry (ring of 1,000)", () =>
            {
                journal.Append(EntryFor(ReadBody(Next())));
                return null;
            }),
            ("  unescape the prompt (UTF-8)", () => { var i = Next(); var m = scans[i].Messages[^1]; return ChatBodyScan.Unescape(bodies[i].AsSpan(m.Start, m.Length), unescaped); }),
            ("  decode the prompt to UTF-16 (GetChars)", () => System.Text.Encoding.UTF8.GetChars(decoded[Next()], chars)),
            ("  history block of the prompt text", () => ConversationHistory.TryExtract(texts[Next()])),
            ("  history block of the escaped prompt (decoded, no turns)", () => { var i = Next(); var m = scans[i].Messages[^1]; return ConversationHistory.DecodeEscapedBlock(bodies[i].AsSpan(m.Start, m.Length), chars); }),
            ("  history key of the escaped prompt (no turns, no string)", () =>
            {
                var i = Next();
                var m = scans[i].Messages[^1];
                var length = ConversationHistory.DecodeEscapedBlock(bodies[i].AsSpan(m.Start, m.Length), chars);
                return ConversationHistory.WriteKey(chars.AsSpan(0, length), keyChars);
            }),
            ("text check (UTF-8, lone surrogates)", () => OpenAIRequestReader.CheckText(bodies[Next()])),
            ("tokenize only (Utf8JsonReader, no strings)", () => Tokenize(bodies[Next()])),
            ("deserialize ChatCompletionRequest", () => JsonSerializer.Deserialize(bodies[Next()], OpenAIJsonContext.Default.ChatCompletionRequest)),
            ("parse (OpenAIRequestReader.Parse: check + deserialize)", () => OpenAIRequestReader.Parse(bodies[Next()], OpenAIJsonContext.Default.ChatCompletionRequest)),
            ("validate a parsed request", () => ChatRequestValidator.Validate(parsed[Next()])),
            ("history block of a parsed request", () => { var i = Next(); return MockRequest.Create(parsed[i], bodies[i]).History; }),
            ("match a parsed request", () => { var i = Next(); return engine.Match(MockRequest.Create(parsed[i], bodies[i])); }),
            ("match and answer a parsed request", () => { var i = Next(); return engine.HandleAsync(MockRequest.Create(parsed[i], bodies[i]), CancellationToken.None).AsTask().GetAwaiter().GetResult(); }),
            ("scan a plain body (MockRequest.TryCreate)", () => MockRequest.TryCreate(bodies[Next()])),
            ("scan, then the history block", () => MockRequest.TryCreate(bodies[Next()])!.History),
            ("scan, then the history key", () => MockRequest.TryCreate(bodies[Next()])!.HistoryKey),
            ("scan, match and answer", () => engine.HandleAsync(MockRequest.TryCreate(bodies[Next()])!, CancellationToken.None).AsTask().GetAwaiter().GetResult()),
            ("server path: body, scan, match, answer, journal (no HTTP)", () =>
            {
                // MockEndpoints.ChatAsync without Kestrel: the body read into a pooled array, scanned, matched and
                // answered, journalled (the ring copies it), the array given back.
                var i = Next();
                var array = System.Buffers.ArrayPool<byte>.Shared.Rent(bodies[i].Length);
                bodies[i].CopyTo(array, 0);
                var body = array.AsMemory(0, bodies[i].Length);
                var request = MockRequest.TryCreate(body)!;
                var exchange = engine.HandleAsync(request, CancellationToken.None).AsTask().GetAwaiter().GetResult();
                serverJournal.Append(ServerEntry(request, exchange, body.Length, null), body.Span);
                System.Buffers.ArrayPool<byte>.Shared.Return(array);
                return exchange;
            }),
            ("whole before: parse, validate, match, answer", () =>
            {
                var i = Next();
                var body = OpenAIRequestReader.Parse(bodies[i], OpenAIJsonContext.Default.ChatCompletionRequest);
                _ = ChatRequestValidator.Validate(body.Value!);
                return engine.HandleAsync(MockRequest.Create(body.Value!, body.Raw), CancellationToken.None).AsTask().GetAwaiter().GetResult();
            }),
        ];

        stages = [.. stages.Where(s => only is null || s.Name.Contains(only, StringComparison.OrdinalIgnoreCase))];
        var results = stages.ToDictionary(s => s.Name, _ => new List<double>());
        var allocated = stages.ToDictionary(s => s.Name, _ => 0L);
        for (var round = 0; round < 6; round++)
        {
            foreach (var (name, run) in stages)
            {
                var bytes = GC.GetAllocatedBytesForCurrentThread();
                var started = ThreadCpu.Now();
                for (var i = 0; i < iterations; i++)
                {
                    GC.KeepAlive(run());
                }

                // Round 0 warms up (JIT tiers, caches) and is not counted.
                if (round > 0)
                {
                    results[name].Add((ThreadCpu.Now() - started).TotalMicroseconds / iterations);
                    allocated[name] = (GC.GetAllocatedBytesForCurrentThread() - bytes) / iterations;
                }
            }
        }

        Console.WriteLine($"mock stages on {bodies.Length} Rasa turns, CPU µs per request (thread CPU time, median of 5 rounds; min–max) and bytes allocated per request, {DateTimeOffset.UtcNow:yyyy-MM-dd HH:mm} UTC");
        foreach (var (name, values) in results)
        {
            values.Sort();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {name} | {values[values.Count / 2]:0.00} | {values[0]:0.00}–{values[^1]:0.00} | {allocated[name]:N0} B |"));
        }
    }

    private static object Tokenize(byte[] body)
    {
        var reader = new Utf8JsonReader(body);
        var tokens = 0;
        while (reader.Read())
        {
            tokens++;
        }

        return tokens;
    }
}
