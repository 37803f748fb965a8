namespace Switchboard.Client;

/// <summary>
/// Cleans what a model said before the caller sees it (reasoning blocks, stray markup). Whole answers go through
/// <see cref="Clean"/>; a stream gets its own <see cref="IResponseStreamCleaner"/> from <see cref="StartStream"/>,
/// which must give, piece by piece, the same text that <see cref="Clean"/> gives for the whole.
/// </summary>
public interface IResponseCleaner
{
    /// <summary>Returns the cleaned form of a whole answer.</summary>
    /// <param name="content">The answer as the model wrote it.</param>
    string Clean(string content);

    /// <summary>Starts cleaning one stream; the returned cleaner keeps that stream's state and is used by one caller at a time.</summary>
    IResponseStreamCleaner StartStream();
}
