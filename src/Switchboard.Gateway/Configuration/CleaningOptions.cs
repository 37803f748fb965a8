using Microsoft.Extensions.Configuration;

namespace Switchboard.Gateway.Configuration;

/// <summary>Shared settings of response cleaning (<c>cleaning:</c>), for the models that say <c>clean: true</c>.</summary>
public sealed class CleaningOptions
{
    /// <summary>Extra regular expressions whose matches are removed from answers (applied line by line in streams).</summary>
    public List<string> Patterns { get; set; } = [];

    /// <summary>Remove chat-template control tokens such as <c>&lt;|im_end|&gt;</c>.</summary>
    [ConfigurationKeyName("strip_role_tags")]
    public bool StripRoleTags { get; set; } = true;

    /// <summary>Remove inner monologue openings and the model's own name echoed as a prefix.</summary>
    [ConfigurationKeyName("strip_speaker_prefix")]
    public bool StripSpeakerPrefix { get; set; } = true;
}
