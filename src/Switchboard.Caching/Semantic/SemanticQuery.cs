namespace Switchboard.Caching.Semantic;

/// <summary>What the semantic cache needs from a request: its scope and the text to compare.</summary>
/// <param name="Namespace">The caller's partition and namespace header.</param>
/// <param name="Model">The model after routing.</param>
/// <param name="Scope">A hash of everything that must match exactly (see <see cref="SemanticEntry.Scope"/>).</param>
/// <param name="Text">The last user message and the turns of the window.</param>
public sealed record SemanticQuery(string Namespace, string Model, string Scope, string Text);
