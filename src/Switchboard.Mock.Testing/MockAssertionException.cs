namespace Switchboard.Mock.Testing;

/// <summary>An assertion on the mock's journal failed; every test framework reports it as a failure.</summary>
public sealed class MockAssertionException : Exception
{
    public MockAssertionException()
    {
    }

    public MockAssertionException(string message)
        : base(message)
    {
    }

    public MockAssertionException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
