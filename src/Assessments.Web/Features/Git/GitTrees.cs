using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Assessments.Runner.Submissions;

namespace Assessments.Web.Features.Git;

/// <summary>Reads a commit's files straight from git's object database (<c>ls-tree</c> for the
/// listing and sizes, <c>cat-file --batch</c> for the contents): no checkout, so no link is ever
/// followed and no filter, hook or <c>.gitattributes</c> rule of the candidate's runs on the host;
/// limits are checked against the listed sizes before a byte is read.</summary>
public static partial class GitTrees
{
    /// <summary>A commit of a bare repository on this machine (the built-in git host's).</summary>
    /// <exception cref="CandidateTreeException">When the tree passes a limit or the commit is missing.</exception>
    public static async Task<CandidateTree> ReadAsync(string gitDirectory, string commit, TreeLimits limits, CancellationToken cancellationToken)
    {
        if (!CommitId().IsMatch(commit))
        {
            throw new CandidateTreeException($"'{commit}' is not a full commit id.");
        }

        var listing = await GitAsync(gitDirectory, cancellationToken, "ls-tree", "-r", "-l", "-z", "--full-tree", commit);
        if (listing.ExitCode != 0)
        {
            throw new CandidateTreeException($"Commit {commit} is not in the repository: {listing.Error.Trim()}");
        }

        var tree = new CandidateTree.Builder(limits);
        var blobs = new List<(string Path, string Object, bool Executable)>();
        foreach (var record in listing.Output.Split('\0', StringSplitOptions.RemoveEmptyEntries))
        {
            // "<mode> <type> <object> <size>\t<path>"
            var tab = record.IndexOf('\t', StringComparison.Ordinal);
            var fields = record[..tab].Split(' ', StringSplitOptions.RemoveEmptyEntries);
            var path = record[(tab + 1)..];
            if (fields[0] is not ("100644" or "100755"))
            {
                tree.Skip(path); // links (120000) and submodules (160000)
                continue;
            }

            tree.Count(path, long.Parse(fields[3], CultureInfo.InvariantCulture));
            blobs.Add((path, fields[2], fields[0] == "100755"));
        }

        var contents = await ReadBlobsAsync(gitDirectory, blobs.Select(b => b.Object).ToList(), cancellationToken);
        for (var i = 0; i < blobs.Count; i++)
        {
            tree.Add(blobs[i].Path, blobs[i].Executable, contents[i]);
        }

        return tree.Tree();
    }

    /// <summary>Fetches one commit from a checked address into a scratch repository and reads it.</summary>
    public static async Task<CandidateTree> FetchAsync(AllowedRepositoryUrl url, string commit, TreeLimits limits, string scratch, CancellationToken cancellationToken) =>
        CommitId().IsMatch(commit)
            ? (await FetchAndReadAsync(url, commit, limits, scratch, cancellationToken)).Tree
            : throw new CandidateTreeException($"'{commit}' is not a full commit id.");

    /// <summary>Fetches what a branch or tag names (or a full commit id) from a checked address
    /// and reads that commit; returns it with the commit it resolved to.</summary>
    public static Task<(CandidateTree Tree, string Commit)> FetchRefAsync(AllowedRepositoryUrl url, string gitRef, TreeLimits limits, string scratch, CancellationToken cancellationToken) =>
        SafeRef().IsMatch(gitRef) && !gitRef.Contains("..", StringComparison.Ordinal) && !gitRef.EndsWith(".lock", StringComparison.Ordinal)
            ? FetchAndReadAsync(url, gitRef, limits, scratch, cancellationToken)
            : throw new CandidateTreeException($"'{gitRef}' is not a branch, tag or commit name git would take.");

    /// <summary>Fetches <paramref name="what"/> shallowly into a scratch repository and reads the commit it names.</summary>
    private static async Task<(CandidateTree Tree, string Commit)> FetchAndReadAsync(AllowedRepositoryUrl url, string what, TreeLimits limits, string scratch, CancellationToken cancellationToken)
    {
        var gitDirectory = Path.Combine(scratch, $"fetch-{Guid.NewGuid():N}.git");
        try
        {
            var init = await GitAsync(null, cancellationToken, "init", "--quiet", "--bare", gitDirectory);
            if (init.ExitCode != 0)
            {
                throw new InvalidOperationException($"git init failed: {init.Error}");
            }

            var options = new List<string>
            {
                "-c", "protocol.allow=never",
                "-c", $"protocol.{url.Url.Scheme}.allow=always",
                "-c", "http.followRedirects=false",
            };
            foreach (var address in url.Addresses)
            {
                // Pinned to what the policy checked: the name cannot point elsewhere for git.
                options.AddRange(["-c", $"http.curloptResolve={url.Url.IdnHost}:{url.Url.Port}:{(address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? $"[{address}]" : address.ToString())}"]);
            }

            // "--" ends the options: a name never reads as one.
            options.AddRange(["fetch", "--quiet", "--no-tags", "--depth", "1", "--", url.Url.ToString(), what]);
            var fetch = await GitAsync(gitDirectory, cancellationToken, [.. options]);
            if (fetch.ExitCode != 0)
            {
                throw new CandidateTreeException($"Fetching {what} from {url.Url} failed: {fetch.Error.Trim()}");
            }

            var head = await GitAsync(gitDirectory, cancellationToken, "rev-parse", "--verify", "--quiet", "FETCH_HEAD^{commit}");
            var commit = head.Output.Trim();
            if (head.ExitCode != 0 || !CommitId().IsMatch(commit))
            {
                throw new CandidateTreeException($"{what} at {url.Url} is not a commit.");
            }

            return (await ReadAsync(gitDirectory, commit, limits, cancellationToken), commit);
        }
        finally
        {
            if (Directory.Exists(gitDirectory))
            {
                Directory.Delete(gitDirectory, recursive: true);
            }
        }
    }

    private static async Task<byte[][]> ReadBlobsAsync(string gitDirectory, IReadOnlyList<string> objects, CancellationToken cancellationToken)
    {
        var info = Start(gitDirectory, "cat-file", "--batch");
        using var process = Process.Start(info)!;
        var writer = Task.Run(async () =>
        {
            foreach (var id in objects)
            {
                await process.StandardInput.WriteAsync($"{id}\n".AsMemory(), cancellationToken);
            }

            process.StandardInput.Close();
        }, cancellationToken);

        var output = process.StandardOutput.BaseStream;
        var contents = new byte[objects.Count][];
        for (var i = 0; i < objects.Count; i++)
        {
            // "<object> blob <size>\n<content>\n"
            var header = await ReadLineAsync(output, cancellationToken);
            var parts = header.Split(' ');
            if (parts.Length != 3 || parts[1] != "blob")
            {
                throw new CandidateTreeException($"git cat-file could not read {objects[i]}: {header}");
            }

            var content = new byte[long.Parse(parts[2], CultureInfo.InvariantCulture)];
            await output.ReadExactlyAsync(content, cancellationToken);
            await ReadLineAsync(output, cancellationToken);
            contents[i] = content;
        }

        await writer;
        await process.WaitForExitAsync(cancellationToken);
        return contents;
    }

    private static async Task<string> ReadLineAsync(Stream stream, CancellationToken cancellationToken)
    {
        var line = new List<byte>();
        var one = new byte[1];
        while (await stream.ReadAsync(one, cancellationToken) == 1 && one[0] != (byte)'\n')
        {
            line.Add(one[0]);
        }

        return Encoding.UTF8.GetString([.. line]);
    }

    private static ProcessStartInfo Start(string? gitDirectory, params string[] args)
    {
        var info = new ProcessStartInfo("git")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        if (gitDirectory is not null)
        {
            info.ArgumentList.Add("--git-dir");
            info.ArgumentList.Add(gitDirectory);
        }

        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        // Nothing from the machine's or a user's git configuration, and never a prompt.
        info.Environment["GIT_CONFIG_NOSYSTEM"] = "1";
        info.Environment["GIT_CONFIG_GLOBAL"] = "/dev/null";
        info.Environment["GIT_TERMINAL_PROMPT"] = "0";
        info.Environment["GIT_ASKPASS"] = "/bin/false";
        return info;
    }

    /// <summary>Runs git on <paramref name="gitDirectory"/> with nothing of the machine's configuration and no prompt.</summary>
    internal static async Task<(int ExitCode, string Output, string Error)> GitAsync(string? gitDirectory, CancellationToken cancellationToken, params string[] args)
    {
        using var process = Process.Start(Start(gitDirectory, args))!;
        process.StandardInput.Close();
        var output = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var error = process.StandardError.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken);
        return (process.ExitCode, await output, await error);
    }

    /// <summary>A full lower-case object id: 40 hex digits (SHA-1) or 64 (SHA-256).</summary>
    public static bool IsCommitId(string text) => CommitId().IsMatch(text);

    [GeneratedRegex("^[0-9a-f]{40}([0-9a-f]{24})?$")]
    private static partial Regex CommitId();

    /// <summary>A branch, tag or commit as an author names it: no leading dash, no spaces or
    /// revision syntax (<c>~ ^ : ? * [ \\</c>).</summary>
    [GeneratedRegex("^[A-Za-z0-9_][A-Za-z0-9._/-]{0,199}$")]
    private static partial Regex SafeRef();
}
