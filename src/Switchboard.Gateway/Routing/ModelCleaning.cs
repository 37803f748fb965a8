using Switchboard.Cleaning;

namespace Switchboard.Gateway.Routing;

/// <summary>How one model's answers are cleaned (<c>models[].clean</c>).</summary>
/// <param name="Cleaner">The cleaner, shared by every request to the model.</param>
/// <param name="Context">The names the model may echo: its public name.</param>
/// <param name="MoveReasoning">Put removed reasoning in <c>reasoning_content</c> instead of dropping it.</param>
public sealed record ModelCleaning(ResponseCleaner Cleaner, CleaningContext Context, bool MoveReasoning);
