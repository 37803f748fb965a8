using System.CommandLine;
using System.Globalization;

namespace Switchboard.Cli.Commands;

/// <summary>Flags shared by the commands that run a server.</summary>
public static class CommonOptions
{
    /// <summary><c>--host</c>, with the default named in its help.</summary>
    public static Option<string?> Host(string defaultText) => new("--host") { Description = $"Address to listen on (default {defaultText}); 0.0.0.0 for all interfaces." };

    /// <summary><c>--port N</c>, with a one-line error for anything that is not 0 to 65535.</summary>
    public static Option<int?> Port(string defaultText)
    {
        var port = new Option<int?>("--port", "-p") { Description = $"Port to listen on (default {defaultText}); 0 picks a free one." };
        port.CustomParser = result =>
        {
            var text = result.Tokens.Count == 1 ? result.Tokens[0].Value : string.Empty;
            if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value <= 65535)
            {
                return value;
            }

            result.AddError($"--port: '{text}' is not a port number (0 to 65535).");
            return null;
        };
        return port;
    }

    /// <summary>A path option whose file or folder must exist.</summary>
    public static void MustExist(Option<string?> option)
    {
        ArgumentNullException.ThrowIfNull(option);
        option.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<string?>() is { } path && !File.Exists(path) && !Directory.Exists(path))
            {
                result.AddError($"{option.Name}: '{Path.GetFullPath(path)}' does not exist.");
            }
        });
    }
}
