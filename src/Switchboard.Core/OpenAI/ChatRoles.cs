namespace Switchboard.OpenAI;

/// <summary>The role names of the chat API.</summary>
public static class ChatRoles
{
    public const string System = "system";
    public const string Developer = "developer";
    public const string User = "user";
    public const string Assistant = "assistant";
    public const string Tool = "tool";
    public const string Function = "function";

    /// <summary>True for every role the OpenAI chat API accepts in a request.</summary>
    public static bool IsKnown(string? role) =>
        role is System or Developer or User or Assistant or Tool or Function;
}
