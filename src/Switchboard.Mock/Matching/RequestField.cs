namespace Switchboard.Mock.Matching;

/// <summary>The text of a request a <see cref="FieldMatcher"/> looks at.</summary>
public enum RequestField
{
    /// <summary>The text of the last <c>user</c> message.</summary>
    LastUserMessage,

    /// <summary>The <c>model</c> the request names.</summary>
    Model,

    /// <summary>The <c>system</c> and <c>developer</c> messages joined.</summary>
    SystemPrompt,

    /// <summary>Every message's text joined.</summary>
    Prompt,
}
