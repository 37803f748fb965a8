namespace Switchboard.Fuzz.Tests;

/// <summary>One hostile request: the bytes to send as they are, and what answers are acceptable for it.</summary>
public sealed record HostileCase(string Name, byte[] Request)
{
    /// <summary>Shut down the sending side after the request (a body cut short, an early end of stream).</summary>
    public bool HalfClose { get; init; }

    /// <summary>
    /// The server may end the connection without an answer: framing so broken that no request was ever made of
    /// it (Kestrel answers most of these with 400, some by closing).
    /// </summary>
    public bool MayClose { get; init; }

    /// <summary>Only a 4xx is right: the request must be refused (a fixture that must not load, say).</summary>
    public bool MustRefuse { get; init; }

    public override string ToString() => Name;
}
