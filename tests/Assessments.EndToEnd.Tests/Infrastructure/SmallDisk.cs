namespace Assessments.EndToEnd.Tests.Infrastructure;

/// <summary>A small file system of a test's own (tmpfs, mounted as root), for a disk that fills up
/// under a grading; it can be grown in place and is unmounted on dispose.</summary>
public sealed class SmallDisk : IAsyncDisposable
{
    private SmallDisk(string path) => Path = path;

    public string Path { get; }

    public static async Task<SmallDisk> MountAsync(string path, string size)
    {
        Directory.CreateDirectory(path);
        await FaultEngine.ShellAsync($"mount -t tmpfs -o size={size},mode=0755 tmpfs '{path}'", TimeSpan.FromSeconds(30));
        return new SmallDisk(path);
    }

    /// <summary>Makes room without touching what is on it.</summary>
    public Task GrowAsync(string size) => FaultEngine.ShellAsync($"mount -o remount,size={size} '{Path}'", TimeSpan.FromSeconds(30));

    public async ValueTask DisposeAsync() => await FaultEngine.ShellAsync($"umount -l '{Path}'", TimeSpan.FromSeconds(30));
}
