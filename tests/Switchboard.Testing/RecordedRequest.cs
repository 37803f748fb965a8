using System.Text.Json;

namespace Switchboard.Testing;

/// <summary>One request as a <see cref="FakeUpstream"/> received it.</summary>
/// <param name="Method">The HTTP method, e.g. <c>POST</c>.</param>
/// <param name="Path">The path with the query string, if any, e.g. <c>/v1/chat/completions</c>.</param>
/// <param name="Headers">The request headers, looked up case-insensitively.</param>
/// <param name="Body">The body parsed as JSON, or null when it was empty.</param>
/// <param name="ConnectionId">The server's id of the connection it came on, to tell reused connections from new ones.</param>
/// <param name="Text">The body exactly as it arrived, decoded as UTF-8.</param>
public sealed record RecordedRequest(string Method, string Path, IReadOnlyDictionary<string, string> Headers, JsonDocument? Body, string ConnectionId, string Text = "");
