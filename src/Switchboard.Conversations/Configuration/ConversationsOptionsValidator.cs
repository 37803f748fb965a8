using Microsoft.Extensions.Options;

namespace Switchboard.Conversations.Configuration;

/// <summary>Checks <c>conversations:</c> at start-up; every failure names its key as spelt in the file.</summary>
public sealed class ConversationsOptionsValidator : IValidateOptions<ConversationsOptions>
{
    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, ConversationsOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        void Positive(int value, string key)
        {
            if (value <= 0)
            {
                failures.Add($"conversations.{key}: must be greater than 0.");
            }
        }

        Positive(options.MaxMessageChars, "max_message_chars");
        Positive(options.MaxSystemPromptChars, "max_system_prompt_chars");
        Positive(options.MaxTokens, "max_tokens");
        Positive(options.ContextWindow, "context_window");
        Positive(options.HistoryLimit, "history_limit");
        Positive(options.QueueLimit, "queue_limit");
        Positive(options.Summary.MaxTokens, "summary.max_tokens");
        if (options.Topics < 0)
        {
            failures.Add("conversations.topics: cannot be negative (0 turns topic tracking off).");
        }

        if (options.MaxTokens >= options.ContextWindow)
        {
            failures.Add($"conversations.max_tokens: {options.MaxTokens} leaves no room for the prompt in a context window of {options.ContextWindow} tokens.");
        }

        if (options.Partition is not (ConversationPartitions.Key or ConversationPartitions.Team or ConversationPartitions.Global))
        {
            failures.Add($"conversations.partition: '{options.Partition}' is not key, team or global.");
        }

        if (string.IsNullOrWhiteSpace(options.BotName))
        {
            failures.Add("conversations.bot_name: the bot needs a name.");
        }

        if (options.Summary.KeepRatio is < 0.1 or > 0.9 || double.IsNaN(options.Summary.KeepRatio))
        {
            failures.Add("conversations.summary.keep_ratio: must be between 0.1 and 0.9.");
        }

        if (options.Summary.Enabled && string.IsNullOrWhiteSpace(options.Summary.Prompt))
        {
            failures.Add("conversations.summary.prompt: cannot be empty when summaries are enabled.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
