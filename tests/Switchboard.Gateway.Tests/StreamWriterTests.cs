using System.Runtime.CompilerServices;
using System.Text;
using Microsoft.AspNetCore.Http;
using Switchboard.Hosting.Http;
using Switchboard.Streaming;

namespace Switchboard.Gateway.Tests;

/// <summary>How <see cref="OpenAIResponseWriter.WriteStreamAsync"/> groups events into writes to the client.</summary>
public sealed class StreamWriterTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static StreamedChunk Event(int i)
    {
        var json = $$"""{"id":"c","choices":[{"index":0,"delta":{"content":"{{i}}"},"finish_reason":null}]}""";
        var bytes = Encoding.UTF8.GetBytes(json);
        return StreamedChunk.FromJson(bytes, ChunkScanner.Scan(bytes));
    }

    [Fact]
    public async Task EventsAlreadyHereGoOutTogetherAndNothingWaitsForAnEventNotYetHere()
    {
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var body = new RecordingStream();
        var context = new DefaultHttpContext { Response = { Body = body } };

        async IAsyncEnumerable<StreamedChunk> Events([EnumeratorCancellation] CancellationToken token = default)
        {
            yield return Event(1);
            yield return Event(2);
            yield return Event(3);
            await release.Task.WaitAsync(token);
            yield return Event(4);
        }

        var writing = OpenAIResponseWriter.WriteStreamAsync(context, Events(Ct));
        // The first three were written in one go while the fourth is still to come.
        await body.FirstWrite.Task.WaitAsync(TimeSpan.FromSeconds(10), Ct);
        Assert.Equal(1, body.Writes);
        Assert.Equal(3, CountEvents(body.Text));
        release.SetResult();
        await writing.WaitAsync(TimeSpan.FromSeconds(10), Ct);

        Assert.Equal(2, body.Writes);
        Assert.Equal(4, CountEvents(body.Text));
        Assert.EndsWith("data: [DONE]\n\n", body.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ALongBurstIsSentInSlicesNoLargerThanTheCap()
    {
        const int Count = 2000;
        var body = new RecordingStream();
        var context = new DefaultHttpContext { Response = { Body = body } };

        await OpenAIResponseWriter.WriteStreamAsync(context, Enumerable.Range(0, Count).Select(Event).ToAsyncEnumerable());

        Assert.Equal(Count, CountEvents(body.Text));
        var total = Encoding.UTF8.GetByteCount(body.Text);
        Assert.True(body.Writes >= total / (OpenAIResponseWriter.MaxUnflushedBytes + 256), $"{body.Writes} writes for {total} bytes");
        Assert.True(body.Writes < Count / 10, $"{body.Writes} writes for {Count} events: not coalesced");
    }

    private static int CountEvents(string text) => text.Split("\n\n", StringSplitOptions.RemoveEmptyEntries).Count(e => e.StartsWith("data: {", StringComparison.Ordinal));

    /// <summary>A response body that records each write the writer's flushes make.</summary>
    private sealed class RecordingStream : MemoryStream
    {
        private readonly Lock _gate = new();

        public TaskCompletionSource FirstWrite { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public int Writes { get; private set; }

        public string Text
        {
            get
            {
                lock (_gate)
                {
                    return Encoding.UTF8.GetString(ToArray());
                }
            }
        }

        public override void Write(byte[] buffer, int offset, int count) => Record(buffer.AsSpan(offset, count));

        public override void Write(ReadOnlySpan<byte> buffer) => Record(buffer);

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
        {
            Record(buffer.AsSpan(offset, count));
            return Task.CompletedTask;
        }

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            Record(buffer.Span);
            return ValueTask.CompletedTask;
        }

        private void Record(ReadOnlySpan<byte> data)
        {
            lock (_gate)
            {
                base.Write(data.ToArray(), 0, data.Length);
                Writes++;
            }

            FirstWrite.TrySetResult();
        }
    }
}
