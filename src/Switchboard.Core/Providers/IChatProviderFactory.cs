using Switchboard.Pipeline;

namespace Switchboard.Providers;

/// <summary>
/// Creates providers of one <see cref="ProviderOptions.Type"/>. Adding a kind of upstream is one class
/// implementing this plus one DI registration.
/// </summary>
public interface IChatProviderFactory
{
    /// <summary>The value of <c>type:</c> this factory handles (<c>openai</c>, <c>ollama</c>, <c>mock</c>).</summary>
    string Type { get; }

    /// <summary>
    /// The keys of its own an entry of this kind may have besides the common ones (<c>name</c>, <c>type</c>,
    /// <c>base_url</c>, ...), found in <see cref="ProviderOptions.Settings"/>; the mock's are <c>fixtures</c> and <c>watch</c>.
    /// </summary>
    IReadOnlyCollection<string> SettingKeys => [];

    /// <summary>Returns the problems of an entry (missing base URL, bad path), each naming the key; empty when fine.</summary>
    IReadOnlyList<string> Validate(ProviderOptions options);

    IChatProvider Create(ProviderOptions options);
}
