using Microsoft.Extensions.Configuration;

namespace Switchboard.Gateway.Configuration;

/// <summary>A public model name (<c>models[]</c>) and the deployments that serve it.</summary>
public sealed class ModelOptions
{
    /// <summary>The public model name clients ask for.</summary>
    public string Name { get; set; } = string.Empty;

    /// <summary>Other names clients may use for this model.</summary>
    public List<string> Aliases { get; set; } = [];

    /// <summary>Who serves the model; several are load balanced.</summary>
    public List<DeploymentOptions> Deployments { get; set; } = [];

    /// <summary>Requests per minute for this model, whoever asks; 0 for no limit.</summary>
    public long Rpm { get; set; }

    /// <summary>Tokens per minute for this model, whoever asks; 0 for no limit.</summary>
    public long Tpm { get; set; }

    /// <summary>
    /// Clean this model's answers (plain and streamed): reasoning blocks, inner monologue, its name echoed as a
    /// prefix, stray chat-template tokens. See <c>cleaning:</c> for the shared settings.
    /// </summary>
    public bool Clean { get; set; }

    /// <summary><c>drop</c> (default) removes reasoning blocks; <c>move</c> puts them in the message's <c>reasoning_content</c>.</summary>
    [ConfigurationKeyName("clean_reasoning")]
    public string CleanReasoning { get; set; } = "drop";

    /// <summary>The model's chat template opens the reasoning block in the prompt (some Qwen3 / DeepSeek-R1 setups): its answers start inside it.</summary>
    [ConfigurationKeyName("reasoning_opened_by_template")]
    public bool ReasoningOpenedByTemplate { get; set; }

    /// <summary>
    /// The model's context window in tokens (prompt and reply together); null when not given, in which case users of
    /// it (the conversations service) assume their own default.
    /// </summary>
    [ConfigurationKeyName("context_window")]
    public int? ContextWindow { get; set; }

    /// <summary>Compress prompts sent to this model to save tokens (a request can still say <c>x-switchboard-compress: off</c>).</summary>
    public bool Compress { get; set; }
}
