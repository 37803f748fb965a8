using System.Text;

namespace Switchboard.Data;

/// <summary>The names the project's EF Core models give their tables, columns and indexes in every database.</summary>
public static class DatabaseNaming
{
    /// <summary><c>CostSavedNanoUsd</c> → <c>cost_saved_nano_usd</c>: lower case, an underscore before each capital but the first.</summary>
    public static string SnakeCase(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        var result = new StringBuilder(name.Length + 8);
        for (var i = 0; i < name.Length; i++)
        {
            if (char.IsUpper(name[i]) && i > 0)
            {
                result.Append('_');
            }

            result.Append(char.ToLowerInvariant(name[i]));
        }

        return result.ToString();
    }
}
