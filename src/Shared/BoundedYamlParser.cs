using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace Switchboard.Yaml;

/// <summary>
/// A YAML parser that refuses what would make loading or expanding a small file cost gigabytes or the stack:
/// aliases that expand past <see cref="MaxAliasExpansion"/> (nested anchors double with every level: 690 bytes
/// became 2 GB), an alias inside the node it names (a loop that expands forever), and nesting deeper than
/// <see cref="MaxDepth"/> (the node model loads and walks recursively). Wraps YamlDotNet's parser for
/// <c>YamlStream.Load</c>; every refusal is a <see cref="YamlException"/> at the place it happened.
/// </summary>
/// <remarks>Compiled into each project that reads YAML (configuration, fixtures), from <c>src/Shared</c>.</remarks>
internal sealed class BoundedYamlParser : IParser
{
    /// <summary>How deep mappings and sequences may nest.</summary>
    public const int MaxDepth = 64;

    /// <summary>
    /// How much the aliases of one document may add when expanded: each node counts 1 and each scalar also its
    /// length, so about this many characters. Sharing a block of settings a few dozen times fits easily.
    /// </summary>
    public const long MaxAliasExpansion = 1_000_000;

    private readonly IParser _inner;
    private readonly Dictionary<string, long> _anchors = new(StringComparer.Ordinal);
    private readonly HashSet<string> _open = new(StringComparer.Ordinal);
    private readonly Stack<(long Weight, string? Anchor)> _containers = new();
    private long _expanded;

    public BoundedYamlParser(IParser inner) => _inner = inner ?? throw new ArgumentNullException(nameof(inner));

    public BoundedYamlParser(TextReader input)
        : this(new Parser(input))
    {
    }

    public ParsingEvent? Current => _inner.Current;

    public bool MoveNext()
    {
        if (!_inner.MoveNext())
        {
            return false;
        }

        switch (_inner.Current)
        {
            case DocumentStart:
                _anchors.Clear();
                _open.Clear();
                _containers.Clear();
                _expanded = 0;
                break;
            case MappingStart or SequenceStart:
                var start = (NodeEvent)_inner.Current;
                if (_containers.Count >= MaxDepth)
                {
                    throw new YamlException(start.Start, start.End, $"the document is nested more than {MaxDepth} levels deep.");
                }

                var anchor = start.Anchor.IsEmpty ? null : start.Anchor.Value;
                if (anchor is not null)
                {
                    _open.Add(anchor);
                }

                _containers.Push((1, anchor));
                break;
            case MappingEnd or SequenceEnd:
                var (weight, name) = _containers.Pop();
                if (name is not null)
                {
                    _open.Remove(name);
                }

                Completed(name, weight);
                break;
            case Scalar scalar:
                Completed(scalar.Anchor.IsEmpty ? null : scalar.Anchor.Value, 1 + scalar.Value.Length);
                break;
            case AnchorAlias alias:
                var target = alias.Value.Value;
                if (_open.Contains(target))
                {
                    throw new YamlException(alias.Start, alias.End, $"the alias *{target} is inside the node it refers to, which would repeat forever.");
                }

                if (!_anchors.TryGetValue(target, out var expansion))
                {
                    throw new YamlException(alias.Start, alias.End, $"the alias *{target} refers to no anchor defined before it.");
                }

                _expanded += expansion;
                if (_expanded > MaxAliasExpansion)
                {
                    throw new YamlException(alias.Start, alias.End, $"the aliases of this document expand to more than {MaxAliasExpansion} nodes and characters; write the repeated parts out or share less.");
                }

                Completed(null, expansion);
                break;
        }

        return true;
    }

    private void Completed(string? anchor, long weight)
    {
        if (anchor is not null)
        {
            _anchors[anchor] = weight;
        }

        if (_containers.Count > 0)
        {
            var (parent, parentAnchor) = _containers.Pop();
            _containers.Push((parent + weight, parentAnchor));
        }
    }
}
