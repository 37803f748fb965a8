namespace Switchboard.Client;

/// <summary>The state of cleaning one streamed answer: text goes in as it arrives, cleaned text comes out as soon as it is safe.</summary>
public interface IResponseStreamCleaner
{
    /// <summary>Takes the next piece of the answer and returns the cleaned text that can be shown now (possibly empty: a tag may be split across pieces).</summary>
    /// <param name="text">The text that just arrived.</param>
    string Append(string text);

    /// <summary>Ends the stream and returns whatever cleaned text was still held back.</summary>
    string Complete();
}
