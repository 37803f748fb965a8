using System.Text;
using System.Text.Json;
using Switchboard.Mock.Fixtures;

namespace Switchboard.Mock.Loading;

/// <summary>
/// Loads fixture files: a file, or every <c>*.json</c>, <c>*.yaml</c> and <c>*.yml</c> under a folder (sorted, so
/// load order is stable). JSON files are Postman collections when they look like one, otherwise the native
/// fixture format written as JSON. Every problem becomes a <see cref="FixtureLoadException"/> naming file and line.
/// </summary>
public static class FixtureLoader
{
    /// <summary>
    /// The largest fixture file (and admin API body) read: loading costs many times a file's size in memory (a
    /// 53 MB file took 7 GB), and a real collection is a few hundred kilobytes. Larger files are refused with their
    /// name, and a watched file that grows past it keeps its last good fixtures.
    /// </summary>
    public const long MaxFileBytes = 8 * 1024 * 1024;

    private static readonly string[] Extensions = [".json", ".yaml", ".yml"];

    /// <summary>Whether a file name has an extension fixtures are read from.</summary>
    public static bool IsFixtureFile(string path) =>
        Extensions.Contains(Path.GetExtension(path), StringComparer.OrdinalIgnoreCase);

    /// <summary>The fixture files a path stands for: itself, or the fixture files under it.</summary>
    public static IReadOnlyList<string> FindFiles(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var full = Path.GetFullPath(path);
        if (File.Exists(full))
        {
            return [full];
        }

        if (Directory.Exists(full))
        {
            // Hidden files and folders (.git, .vscode, editor backups) are not fixtures.
            return [.. Directory.EnumerateFiles(full, "*", SearchOption.AllDirectories)
                .Where(IsFixtureFile)
                .Where(f => !Path.GetRelativePath(full, f).Split(Path.DirectorySeparatorChar).Any(part => part.StartsWith('.')))
                .Order(StringComparer.Ordinal)];
        }

        throw new FixtureLoadException(new FixtureLoadError(path, 0, "no such file or folder."));
    }

    /// <summary>Loads every fixture file of a path, stopping at the first broken one.</summary>
    public static IReadOnlyDictionary<string, IReadOnlyList<Fixture>> LoadAll(string path)
    {
        var files = new Dictionary<string, IReadOnlyList<Fixture>>(StringComparer.Ordinal);
        foreach (var file in FindFiles(path))
        {
            files[file] = LoadFile(file);
        }

        return files;
    }

    /// <summary>Loads one file.</summary>
    public static IReadOnlyList<Fixture> LoadFile(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        byte[] bytes;
        try
        {
            var length = new FileInfo(path).Length;
            if (length > MaxFileBytes)
            {
                throw new FixtureLoadException(new FixtureLoadError(path, 0, TooLarge(length)));
            }

            bytes = File.ReadAllBytes(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new FixtureLoadException(new FixtureLoadError(path, 0, "cannot be read: " + ex.Message), ex);
        }

        var format = Path.GetExtension(path).Equals(".json", StringComparison.OrdinalIgnoreCase) ? FixtureFormat.Json : FixtureFormat.Yaml;
        return Parse(bytes, path, format);
    }

    /// <summary>Parses fixture text (YAML, native JSON or a Postman collection) as if read from <paramref name="origin"/>.</summary>
    public static IReadOnlyList<Fixture> Parse(string text, string origin, FixtureFormat format = FixtureFormat.Yaml)
    {
        ArgumentNullException.ThrowIfNull(text);
        return Parse(Encoding.UTF8.GetBytes(text), origin, format);
    }

    /// <summary>Parses fixture bytes (UTF-8 YAML, native JSON or a Postman collection) as if read from <paramref name="origin"/>.</summary>
    public static IReadOnlyList<Fixture> Parse(byte[] bytes, string origin, FixtureFormat format)
    {
        ArgumentNullException.ThrowIfNull(bytes);
        ArgumentNullException.ThrowIfNull(origin);
        if (bytes.Length > MaxFileBytes)
        {
            throw new FixtureLoadException(new FixtureLoadError(origin, 0, TooLarge(bytes.Length)));
        }

        var span = bytes.AsSpan();
        if (span.StartsWith("\uFEFF"u8))
        {
            span = span[3..];
        }

        try
        {
            if (format == FixtureFormat.Json || (format == FixtureFormat.Auto && LooksLikeJson(span)))
            {
                JsonDocument document;
                try
                {
                    document = JsonDocument.Parse(span.ToArray(), new JsonDocumentOptions { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip });
                }
                catch (JsonException ex)
                {
                    throw new FixtureFormatException((int)(ex.LineNumber ?? 0) + 1, "not valid JSON: " + ex.Message.Split(" LineNumber:")[0].TrimEnd('.', ' ') + ".", ex);
                }

                using (document)
                {
                    if (PostmanCollectionReader.IsCollection(document.RootElement))
                    {
                        return PostmanCollectionReader.Read(span, document.RootElement, origin);
                    }
                }
            }

            return YamlFixtureReader.Read(Encoding.UTF8.GetString(span), origin);
        }
        catch (FixtureFormatException ex)
        {
            throw new FixtureLoadException(new FixtureLoadError(origin, ex.Line, ex.Message), ex);
        }
    }

    private static string TooLarge(long length) =>
        $"is {length} bytes, more than the {MaxFileBytes} bytes a fixture file may have; split it into several files.";

    private static bool LooksLikeJson(ReadOnlySpan<byte> span)
    {
        var trimmed = span.TrimStart(" \t\r\n"u8);
        return trimmed.Length > 0 && trimmed[0] is (byte)'{' or (byte)'[';
    }
}
