namespace Switchboard.LoadTest;

/// <summary>
/// Watches a response body go by, read by read, for the first non-empty <c>"content": "…"</c> (the first
/// token of a stream) and for <c>[DONE]</c>, without buffering it. Tolerates white space after the colon.
/// </summary>
internal struct StreamScanner
{
    private static ReadOnlySpan<byte> ContentKey => "\"content\":"u8;
    private static ReadOnlySpan<byte> DoneMarker => "[DONE]"u8;

    private int _key;
    private int _afterKey; // 0: matching the key, 1: key seen (skipping white space), 2: opening quote seen
    private int _done;

    public bool SawContent { get; private set; }

    public bool SawDone { get; private set; }

    /// <summary>Feeds the next bytes; true when this read holds the first content token.</summary>
    public bool Feed(ReadOnlySpan<byte> bytes)
    {
        var first = false;
        foreach (var b in bytes)
        {
            if (!SawDone)
            {
                _done = b == DoneMarker[_done] ? _done + 1 : (b == DoneMarker[0] ? 1 : 0);
                if (_done == DoneMarker.Length)
                {
                    SawDone = true;
                }
            }

            if (SawContent)
            {
                continue;
            }

            switch (_afterKey)
            {
                case 0:
                    _key = b == ContentKey[_key] ? _key + 1 : (b == (byte)'"' ? 1 : 0);
                    if (_key == ContentKey.Length)
                    {
                        _afterKey = 1;
                        _key = 0;
                    }

                    break;
                case 1:
                    if (b is (byte)' ' or (byte)'\t')
                    {
                        break;
                    }

                    _afterKey = b == (byte)'"' ? 2 : 0;
                    break;
                default:
                    if (b != (byte)'"')
                    {
                        SawContent = true;
                        first = true;
                    }

                    _afterKey = 0;
                    break;
            }
        }

        return first;
    }
}
