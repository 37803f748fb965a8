using System.Text.Json;
using Switchboard.Mock.Fixtures;
using Switchboard.Mock.Matching;

namespace Switchboard.Mock.Testing;

/// <summary>
/// Builds a fixture in code: conditions with <c>When…</c>, answers with <c>RespondWith…</c>. Each
/// <c>RespondWith…</c> after the first adds a turn to the sequence. Shapes and defaults are those of the YAML format.
/// </summary>
public sealed class FixtureBuilder
{
    private readonly string _name;
    private readonly List<IRequestMatcher> _matchers = [];
    private readonly List<FixtureResponse> _responses = [];
    private readonly List<string> _models = [];
    private int _priority;
    private string? _scenario;
    private string? _state;
    private string? _nextState;
    private SequenceMode _mode = SequenceMode.RepeatLast;

    public FixtureBuilder(string name)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        _name = name;
    }

    public FixtureBuilder WhenLastUser(string text) => WhenLastUser(TextPattern.EqualTo(text));

    public FixtureBuilder WhenLastUser(TextPattern pattern) => When(new FieldMatcher(RequestField.LastUserMessage, pattern));

    public FixtureBuilder WhenModel(string model)
    {
        _models.Add(model);
        return When(new FieldMatcher(RequestField.Model, TextPattern.EqualTo(model)));
    }

    public FixtureBuilder WhenSystem(TextPattern pattern) => When(new FieldMatcher(RequestField.SystemPrompt, pattern));

    public FixtureBuilder WhenPrompt(TextPattern pattern) => When(new FieldMatcher(RequestField.Prompt, pattern));

    /// <summary>The Conversation History block equals these lines (<c>"USER: hi"</c>, <c>"AI: hello"</c>).</summary>
    public FixtureBuilder WhenHistory(params string[] lines) => When(new HistoryMatcher(ConversationHistory.Parse(string.Join('\n', lines))));

    /// <summary>The messages equal these (role, text) pairs, in order and all of them.</summary>
    public FixtureBuilder WhenConversation(params (string Role, string Text)[] messages) =>
        When(new ConversationMatcher([.. messages.Select(m => new MessagePattern(m.Role, TextPattern.EqualTo(m.Text)))]));

    public FixtureBuilder WhenTools(params string[] names) => When(new ToolsMatcher(names));

    public FixtureBuilder WhenJson(string path, string value) => When(new JsonPathMatcher(JsonPath.Parse(path), TextPattern.EqualTo(value)));

    public FixtureBuilder WhenHeader(string name, string value) => When(new HeaderMatcher(name, TextPattern.EqualTo(value)));

    public FixtureBuilder When(IRequestMatcher matcher)
    {
        ArgumentNullException.ThrowIfNull(matcher);
        _matchers.Add(matcher);
        return this;
    }

    public FixtureBuilder WithPriority(int priority)
    {
        _priority = priority;
        return this;
    }

    /// <summary>Answers only while <paramref name="scenario"/> is in <paramref name="state"/>, then moves it to <paramref name="nextState"/>.</summary>
    public FixtureBuilder InScenario(string scenario, string state = MockEngine.StartState, string? nextState = null)
    {
        _scenario = scenario;
        _state = state;
        _nextState = nextState;
        return this;
    }

    /// <summary>After the last turn, start the sequence again instead of repeating the last answer.</summary>
    public FixtureBuilder Cycle()
    {
        _mode = SequenceMode.Cycle;
        return this;
    }

    public FixtureBuilder RespondWith(string content) => RespondWith(new FixtureResponse { Content = content });

    /// <summary>Answers with a call of <paramref name="name"/>; <paramref name="arguments"/> is serialized to JSON unless it is a string.</summary>
    public FixtureBuilder RespondWithToolCall(string name, object? arguments = null) =>
        RespondWith(new FixtureResponse { ToolCalls = [new FixtureToolCall(name, ArgumentsJson(arguments))] });

    public FixtureBuilder RespondWithError(int status, string? message = null, TimeSpan? retryAfter = null) =>
        RespondWith(new FixtureResponse { Error = new FixtureError { Status = status, Message = message, RetryAfter = retryAfter } });

    public FixtureBuilder RespondWith(FixtureResponse response)
    {
        ArgumentNullException.ThrowIfNull(response);
        _responses.Add(response);
        return this;
    }

    /// <summary>Changes the last response added (stream pacing, faults, delay…).</summary>
    public FixtureBuilder With(Func<FixtureResponse, FixtureResponse> change)
    {
        ArgumentNullException.ThrowIfNull(change);
        if (_responses.Count == 0)
        {
            throw new InvalidOperationException("Add a response with RespondWith… before changing it.");
        }

        _responses[^1] = change(_responses[^1]);
        return this;
    }

    public Fixture Build()
    {
        if (_responses.Count == 0)
        {
            throw new InvalidOperationException($"Fixture '{_name}' needs a response: call RespondWith….");
        }

        return new Fixture
        {
            Id = _name,
            Name = _name,
            Source = FixtureSource.Code,
            Priority = _priority,
            Matchers = [.. _matchers],
            Responses = [.. _responses],
            SequenceMode = _mode,
            Scenario = _scenario,
            RequiredState = _scenario is null ? null : _state,
            NextState = _nextState,
            Models = [.. _models],
        };
    }

    private static string ArgumentsJson(object? arguments) => arguments switch
    {
        null => "{}",
        string text => text,
        JsonElement element => element.GetRawText(),
        _ => JsonSerializer.Serialize(arguments, arguments.GetType()),
    };
}
