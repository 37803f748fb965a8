namespace Switchboard.Streaming;

/// <summary>
/// Whether a stream that ends without <c>[DONE]</c> is complete all the same: every choice it carried has
/// finished, or the usage event that follows the last choice arrived. One finished choice of several
/// (<c>n</c> &gt; 1), or usage on every chunk (vLLM's continuous usage), is not enough.
/// </summary>
internal struct StreamProgress
{
    private ulong _choices;
    private ulong _finished;
    private bool _closingUsage;

    public void Add(StreamedChunk chunk)
    {
        var scan = chunk.Scan;
        _choices |= scan.Choices;
        _finished |= scan.FinishedChoices;
        _closingUsage |= scan.HasUsage && scan.Choices == 0;
    }

    public readonly bool IsComplete => _closingUsage || (_choices != 0 && (_choices & ~_finished) == 0);
}
