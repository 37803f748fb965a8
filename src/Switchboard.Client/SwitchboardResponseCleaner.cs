using Switchboard.Cleaning;

namespace Switchboard.Client;

/// <summary>
/// The gateway's own response cleaner (<see cref="ResponseCleaner"/>, package Switchboard.Cleaning) as an
/// <see cref="IResponseCleaner"/>: reasoning blocks (<c>think</c>, <c>thinking</c>, <c>reasoning</c>, closed or not),
/// inner monologue, stray chat-template role tags, and, given a <see cref="CleaningContext"/>, the model's own name
/// echoed as a prefix and turns it invents for other speakers. The removed reasoning is dropped. This is the
/// cleaner <see cref="LlmClientOptions.CleanResponses"/> uses unless another <see cref="IResponseCleaner"/> is given.
/// </summary>
public sealed class SwitchboardResponseCleaner : IResponseCleaner
{
    private readonly ResponseCleaner _cleaner;
    private readonly CleaningContext _context;

    /// <summary>Wraps <paramref name="cleaner"/> (default <see cref="ResponseCleaner.Default"/>) with the speakers of <paramref name="context"/>.</summary>
    /// <param name="cleaner">The configured cleaner; <see cref="ResponseCleaner.Default"/> when null.</param>
    /// <param name="context">The assistant's names and the other speakers, for chat transcripts; none when null.</param>
    public SwitchboardResponseCleaner(ResponseCleaner? cleaner = null, CleaningContext? context = null)
    {
        _cleaner = cleaner ?? ResponseCleaner.Default;
        _context = context ?? CleaningContext.None;
    }

    /// <summary>The shared instance over <see cref="ResponseCleaner.Default"/>.</summary>
    public static SwitchboardResponseCleaner Default { get; } = new();

    /// <inheritdoc />
    public string Clean(string content) => _cleaner.Clean(content, _context).Content;

    /// <inheritdoc />
    public IResponseStreamCleaner StartStream() => new Stream(_cleaner.BeginStream(_context));

    private sealed class Stream(StreamingCleaner inner) : IResponseStreamCleaner
    {
        public string Append(string text) => inner.Push(text).Content;

        public string Complete() => inner.Complete().Content;
    }
}
