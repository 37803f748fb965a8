using Switchboard.Text;

namespace Switchboard.Cli.Commands;

/// <summary>Finds the known name a mistyped one was probably meant to be ("srve" → "serve").</summary>
internal static class ClosestName
{
    /// <summary>The candidate within two edits (a transposition counts as one) of <paramref name="typed"/>, closest first; null if none is.</summary>
    public static string? Find(string typed, IEnumerable<string> candidates)
    {
        string? best = null;
        var bestDistance = int.MaxValue;
        foreach (var candidate in candidates)
        {
            var distance = EditDistance.Between(typed.ToLowerInvariant(), candidate.ToLowerInvariant());
            if (distance < bestDistance)
            {
                (best, bestDistance) = (candidate, distance);
            }
        }

        return bestDistance <= Math.Min(2, Math.Max(1, typed.Length / 2)) ? best : null;
    }
}
