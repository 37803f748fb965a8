namespace Switchboard.Mock.Loading;

/// <summary>The format of fixture text.</summary>
public enum FixtureFormat
{
    /// <summary>JSON when it starts with <c>{</c> or <c>[</c>, otherwise YAML.</summary>
    Auto,

    /// <summary>The native fixture format in YAML.</summary>
    Yaml,

    /// <summary>A Postman v2.1 collection, or the native format written as JSON.</summary>
    Json,
}
