namespace Switchboard.Cleaning;

/// <summary>What <see cref="ResponseCleaner"/> removes from a reply. The defaults suit chat replies from local reasoning models.</summary>
public sealed record ResponseCleanerOptions
{
    /// <summary>Remove reasoning blocks (<c>&lt;think&gt;…&lt;/think&gt;</c>, also unclosed) from the content and report them as reasoning.</summary>
    public bool StripReasoning { get; init; } = true;

    /// <summary>
    /// The reply starts inside a reasoning block whose opening tag the chat template put in the prompt (some Qwen3
    /// and DeepSeek-R1 setups): everything up to the first closing tag is reasoning. A whole reply detects this by
    /// itself; a stream can only know it from this setting.
    /// </summary>
    public bool StartsInReasoning { get; init; }

    /// <summary>The tag names that open and close a reasoning block, compared case-insensitively.</summary>
    public IReadOnlyList<string> ReasoningTags { get; init; } = ["think", "thinking", "reasoning"];

    /// <summary>Remove chat-template control tokens a model sometimes prints (<c>&lt;|im_end|&gt;</c>, <c>[INST]</c>, <c>&lt;/s&gt;</c>, ...).</summary>
    public bool StripRoleTags { get; init; } = true;

    /// <summary>The control tokens <see cref="StripRoleTags"/> removes, matched case-sensitively as written.</summary>
    public IReadOnlyList<string> RoleTags { get; init; } = DefaultRoleTags;

    /// <summary>
    /// Remove an "inner monologue" opening (<c>(thinking: ...)</c>, <c>*thinks*</c>, a first line <c>Thoughts: ...</c>)
    /// and the assistant's own name echoed as a transcript prefix (<c>Assistant: </c>, <c>bot: </c>).
    /// </summary>
    public bool StripSpeakerPrefix { get; init; } = true;

    /// <summary>
    /// Cut the reply where the model goes on to write another participant's turn (<c>\nalice: ...</c>), which
    /// models do when they see a <c>name: message</c> transcript. Applies only to the speakers named in
    /// <see cref="CleaningContext.OtherSpeakers"/>.
    /// </summary>
    public bool CutAtOtherSpeaker { get; init; } = true;

    /// <summary>
    /// Extra regular expressions whose matches are removed (.NET syntax, multiline). In a stream they are applied
    /// to whole lines, so a line is held back until it ends.
    /// </summary>
    public IReadOnlyList<string> ExtraPatterns { get; init; } = [];

    /// <summary>
    /// The most characters a stream holds back at the start of a line while it decides whether a prefix is to be
    /// removed. Bounds the delay a cleaner adds to the first token.
    /// </summary>
    public int MaxLineHoldBack { get; init; } = 64;

    /// <summary>The control tokens removed by default.</summary>
    public static IReadOnlyList<string> DefaultRoleTags { get; } =
    [
        "<|im_start|>assistant\n", "<|im_start|>assistant", "<|im_start|>", "<|im_end|>", "<|eot_id|>", "<|end_of_text|>",
        "<|start_header_id|>assistant<|end_header_id|>", "<|assistant|>", "<|user|>", "<|system|>", "<|end|>",
        "<|endoftext|>", "[INST]", "[/INST]", "<s>", "</s>", "<end_of_turn>", "<start_of_turn>model",
    ];
}
