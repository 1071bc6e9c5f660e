using System.Text.RegularExpressions;

namespace Assessments.Runner.Sandbox;

/// <summary>The staging folders cache writers leave only when their process dies mid-write (a
/// restore of an offline feed, a build being stored): <c>NAME.GUID.tmp</c> beside the entry they
/// were to become. Every writer removes its own on any failure; nothing reads them.</summary>
public static partial class CacheStaging
{
    /// <summary>Removes every staging folder under <paramref name="cacheFolder"/> last written
    /// before <paramref name="before"/>: older than any write still under way. Returns their paths.</summary>
    public static IReadOnlyList<string> RemoveAbandoned(string cacheFolder, DateTimeOffset before)
    {
        if (!Directory.Exists(cacheFolder))
        {
            return [];
        }

        var removed = new List<string>();
        foreach (var folder in Directory.EnumerateDirectories(cacheFolder, "*.tmp", new EnumerationOptions { RecurseSubdirectories = true, IgnoreInaccessible = true }).ToList())
        {
            if (StagingName().IsMatch(Path.GetFileName(folder)) && Directory.Exists(folder) && Directory.GetLastWriteTimeUtc(folder) < before.UtcDateTime)
            {
                try
                {
                    Directory.Delete(folder, recursive: true);
                    removed.Add(folder);
                }
                catch (DirectoryNotFoundException)
                {
                    // Another worker sharing the folder removed it first.
                }
            }
        }

        return removed;
    }

    [GeneratedRegex(@"\.[0-9a-f]{32}\.tmp$")]
    private static partial Regex StagingName();
}
