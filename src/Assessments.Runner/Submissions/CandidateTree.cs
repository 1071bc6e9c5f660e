using System.Formats.Tar;
using Assessments.Scenarios;

namespace Assessments.Runner.Submissions;

/// <summary>How much of a candidate's tree is read: counted as it is read, before anything is
/// copied anywhere, so a repository of a million files or one huge file costs nothing.</summary>
/// <param name="MaxFiles">Files in the tree.</param>
/// <param name="MaxBytes">Bytes of all files together.</param>
/// <param name="MaxFileBytes">Bytes of one file.</param>
public sealed record TreeLimits(int MaxFiles = 5000, long MaxBytes = 64L << 20, long MaxFileBytes = 16L << 20);

/// <summary>A candidate's files, read without following a single link: regular files only, links
/// left out and listed (a link to <c>/etc/shadow</c> on the host stays a name), bounded by
/// <see cref="TreeLimits"/>.</summary>
/// <param name="Files">The regular files, in canonical order.</param>
/// <param name="SkippedLinks">Paths of links (and other non-regular entries) that were left out.</param>
public sealed record CandidateTree(IReadOnlyList<PackageFile> Files, IReadOnlyList<string> SkippedLinks)
{
    /// <summary>Reads a working folder; <c>.git</c> and build outputs are not part of a submission.</summary>
    /// <exception cref="CandidateTreeException">When the tree passes a limit or is not a folder.</exception>
    public static CandidateTree FromDirectory(string root, TreeLimits limits)
    {
        var rootInfo = new DirectoryInfo(root);
        if (!rootInfo.Exists || rootInfo.LinkTarget is not null)
        {
            throw new CandidateTreeException($"{root} is not a folder.");
        }

        var reader = new Builder(limits);
        var pending = new Stack<DirectoryInfo>([rootInfo]);
        while (pending.TryPop(out var folder))
        {
            foreach (var entry in folder.EnumerateFileSystemInfos())
            {
                var path = Path.GetRelativePath(rootInfo.FullName, entry.FullName).Replace('\\', '/');
                if (entry.LinkTarget is not null)
                {
                    reader.Skip(path);
                }
                else if (entry is DirectoryInfo directory)
                {
                    if (!IgnoredFolder(directory.Name))
                    {
                        pending.Push(directory);
                    }
                }
                else if (entry is FileInfo file)
                {
                    reader.Count(path, file.Length);
                    // A socket, a FIFO or a device (a database's socket in a working folder) has no
                    // size; opening one fails or waits for a writer forever. An empty regular file
                    // needs no reading either, so nothing of size 0 is opened.
                    reader.Add(path, (file.UnixFileMode & UnixFileMode.UserExecute) != 0, file.Length == 0 ? [] : File.ReadAllBytes(file.FullName));
                }
            }
        }

        return reader.Tree();
    }

    /// <summary>Reads a tar stream (<c>git archive</c>'s output, or GitHub's tarball with
    /// <paramref name="stripComponents"/> 1 for its top folder).</summary>
    public static async Task<CandidateTree> FromTarAsync(Stream tar, TreeLimits limits, CancellationToken cancellationToken, int stripComponents = 0)
    {
        var reader = new Builder(limits);
        await using var archive = new TarReader(tar);
        while (await archive.GetNextEntryAsync(copyData: false, cancellationToken) is { } entry)
        {
            var path = Strip(entry.Name.TrimStart('.', '/'), stripComponents);
            if (entry.EntryType is TarEntryType.Directory or TarEntryType.GlobalExtendedAttributes or TarEntryType.ExtendedAttributes || path.Length == 0)
            {
                continue;
            }

            if (entry.EntryType is not (TarEntryType.RegularFile or TarEntryType.V7RegularFile) || entry.DataStream is null)
            {
                reader.Skip(path);
                continue;
            }

            reader.Count(path, entry.Length);
            using var content = new MemoryStream((int)entry.Length);
            await entry.DataStream.CopyToAsync(content, cancellationToken);
            reader.Add(path, (entry.Mode & UnixFileMode.UserExecute) != 0, content.ToArray());
        }

        return reader.Tree();
    }

    private static string Strip(string path, int components)
    {
        for (var i = 0; i < components; i++)
        {
            var slash = path.IndexOf('/', StringComparison.Ordinal);
            path = slash < 0 ? "" : path[(slash + 1)..];
        }

        return path;
    }

    private static bool IgnoredFolder(string name) => name is ".git" or "bin" or "obj" or ".vs" or ".idea" or "TestResults" or "node_modules";

    /// <summary>Collects a tree from any source: every file is counted against the limits
    /// before its content is read, links and other entries are listed as skipped.</summary>
    public sealed class Builder(TreeLimits limits)
    {
        private readonly List<PackageFile> _files = [];
        private readonly List<string> _skipped = [];
        private int _counted;
        private long _bytes;

        /// <summary>Lists an entry that is left out (a link, a submodule).</summary>
        public void Skip(string path) => _skipped.Add(path);

        /// <summary>Counts a file of <paramref name="length"/> bytes, before it is read.</summary>
        /// <exception cref="CandidateTreeException">When the tree passes a limit with it.</exception>
        public void Count(string path, long length)
        {
            if (++_counted > limits.MaxFiles)
            {
                throw new CandidateTreeException($"The tree has more than {limits.MaxFiles} files; at most that many are graded.");
            }

            if (length > limits.MaxFileBytes)
            {
                throw new CandidateTreeException($"{path} is {length} bytes; a file may have at most {limits.MaxFileBytes}.");
            }

            _bytes += length;
            if (_bytes > limits.MaxBytes)
            {
                throw new CandidateTreeException($"The tree's files pass {limits.MaxBytes} bytes together (at {path}); at most that many are graded.");
            }
        }

        /// <summary>Adds a counted file's content.</summary>
        public void Add(string path, bool executable, byte[] content) => _files.Add(new PackageFile(path, executable, content));

        /// <summary>The tree, in canonical order.</summary>
        public CandidateTree Tree() => new(
            _files.OrderBy(f => f.Path, Comparer<string>.Create(PackageFiles.CompareOrdinalUtf8)).ToList(),
            _skipped.Order(StringComparer.Ordinal).ToList());
    }
}

/// <summary>A candidate's tree could not be taken as it is; the message says why and where.</summary>
public sealed class CandidateTreeException(string message) : Exception(message);
