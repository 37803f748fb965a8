using System.Security.Cryptography;

namespace Switchboard.Streaming;

/// <summary>Creates ids in the shapes OpenAI uses (<c>chatcmpl-…</c>, <c>call_…</c>).</summary>
public static class CompletionIds
{
    private const string Alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

    public static string NewChatCompletionId() => "chatcmpl-" + RandomString(24);

    public static string NewToolCallId() => "call_" + RandomString(24);

    private static string RandomString(int length) => RandomNumberGenerator.GetString(Alphabet, length);
}
