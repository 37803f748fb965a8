using Switchboard.Mock.Text;

namespace Switchboard.Mock.Matching;

/// <summary>Compares one text of the request (last user message, model, system prompt, whole prompt) with a pattern.</summary>
public sealed class FieldMatcher(RequestField field, TextPattern pattern) : IRequestMatcher
{
    public RequestField Field { get; } = field;

    public TextPattern Pattern { get; } = pattern ?? throw new ArgumentNullException(nameof(pattern));

    public int Specificity => Pattern.Weight * Field switch
    {
        RequestField.LastUserMessage => 10,
        RequestField.Prompt => 4,
        RequestField.SystemPrompt => 5,
        _ => 3,
    };

    public string? IndexKey => Pattern is { Comparison: TextComparison.Equals, IgnoreCase: false }
        ? Field switch
        {
            RequestField.LastUserMessage => "u:" + Pattern.Pattern,
            RequestField.Model => "m:" + Pattern.Pattern,
            _ => null,
        }
        : null;

    public double Score(MockRequest request) => Pattern.Score(ValueOf(request));

    public string Describe() => $"{Name} {Pattern}";

    public string Explain(MockRequest request) =>
        $"{Name} is '{TextNormalizer.Shorten(ValueOf(request))}', expected it {Pattern}";

    private string Name => Field switch
    {
        RequestField.LastUserMessage => "last user message",
        RequestField.Model => "model",
        RequestField.SystemPrompt => "system prompt",
        _ => "prompt",
    };

    private string ValueOf(MockRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return Field switch
        {
            RequestField.LastUserMessage => request.LastUserMessage,
            RequestField.Model => request.Model,
            RequestField.SystemPrompt => request.SystemPrompt,
            _ => request.PromptText,
        };
    }
}
