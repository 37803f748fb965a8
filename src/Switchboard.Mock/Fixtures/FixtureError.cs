namespace Switchboard.Mock.Fixtures;

/// <summary>An error a fixture answers with: any status, the OpenAI error fields, and <c>Retry-After</c> for 429/503.</summary>
public sealed record FixtureError
{
    public int Status { get; init; } = 500;
    public string? Message { get; init; }
    public string? Type { get; init; }
    public string? Code { get; init; }
    public string? Param { get; init; }
    public TimeSpan? RetryAfter { get; init; }
}
