using System.ClientModel.Primitives;
using System.Collections.Concurrent;

namespace Switchboard.Gateway.Tests.Infrastructure;

/// <summary>
/// A pipeline policy for the official OpenAI SDK: adds <see cref="RequestHeaders"/> to every request and keeps the
/// headers of the last response, so tests read <c>x-switchboard-cache</c> of plain and streamed calls alike.
/// </summary>
public sealed class HeaderPolicy : PipelinePolicy
{
    private volatile IReadOnlyDictionary<string, string> _last = new Dictionary<string, string>();

    /// <summary>Headers sent with every request (cleared or changed between calls as a test needs).</summary>
    public ConcurrentDictionary<string, string> RequestHeaders { get; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>A header of the last response; null when it had none.</summary>
    public string? Last(string name) => _last.TryGetValue(name, out var value) ? value : null;

    public override void Process(PipelineMessage message, IReadOnlyList<PipelinePolicy> pipeline, int currentIndex)
    {
        ArgumentNullException.ThrowIfNull(message);
        AddHeaders(message);
        ProcessNext(message, pipeline, currentIndex);
        Keep(message);
    }

    public override async ValueTask ProcessAsync(PipelineMessage message, IReadOnlyList<PipelinePolicy> pipeline, int currentIndex)
    {
        ArgumentNullException.ThrowIfNull(message);
        AddHeaders(message);
        await ProcessNextAsync(message, pipeline, currentIndex);
        Keep(message);
    }

    private void AddHeaders(PipelineMessage message)
    {
        foreach (var (name, value) in RequestHeaders)
        {
            message.Request.Headers.Set(name, value);
        }
    }

    private void Keep(PipelineMessage message) =>
        _last = message.Response?.Headers.ToDictionary(h => h.Key, h => h.Value, StringComparer.OrdinalIgnoreCase) ?? new Dictionary<string, string>();
}
