using System.Net;
using Assessments.Runner.Submissions;
using Assessments.Scenarios;
using Assessments.Web.Features.Git;

namespace Assessments.Web.Features.Library;

/// <summary>Where packages may be fetched from (<c>Scenarios:Git</c>): the repositories whose URL
/// starts with one of <see cref="AllowedRepositories"/>. Empty (the default) allows none: an
/// operator names the hosts and owners their authors publish from.</summary>
public sealed class PackageRepositoryOptions
{
    public const string Section = "Scenarios:Git";

    /// <summary>URL prefixes, https only: <c>https://github.com/acme/</c>.</summary>
    public List<string> AllowedRepositories { get; set; } = [];
}

/// <summary>Why a package could not be fetched from a repository.</summary>
public sealed class PackageRepositoryException(string message) : Exception(message);

/// <summary>Reads a scenario package from a git repository an author names by URL and ref: the URL
/// must be on the allow-list and pass the platform's fetch policy (https, public addresses only,
/// git pinned to the addresses checked); one commit is fetched shallowly into a scratch repository
/// and read from git's object database without a checkout, within the upload's limits; links and
/// submodules are refused as in an archive.</summary>
public sealed class PackageRepositories(IOptions<PackageRepositoryOptions> options, IOptions<PackageUploadLimits> limits)
{
    /// <summary>The commit the ref named and the package's files there.</summary>
    public sealed record Fetched(string Commit, IReadOnlyList<PackageFile> Files);

    /// <exception cref="PackageRepositoryException">Says which rule the address or ref breaks, or why git failed.</exception>
    public async Task<Fetched> FetchAsync(string url, string gitRef, CancellationToken cancellationToken)
    {
        url = url.Trim();
        var allowed = options.Value.AllowedRepositories;
        if (allowed.Count == 0)
        {
            throw new PackageRepositoryException("No repository is allowed to import from: an operator lists the allowed URL prefixes in Scenarios__Git__AllowedRepositories__0, __1, …");
        }

        if (!allowed.Any(prefix => url.StartsWith(prefix, StringComparison.OrdinalIgnoreCase)))
        {
            throw new PackageRepositoryException($"'{url}' is not on the allow-list ({string.Join(", ", allowed)}).");
        }

        AllowedRepositoryUrl checkedUrl;
        try
        {
            // No platform exception here: packages come from where authors publish, never the candidates' git host.
            var policy = new RepositoryUrlPolicy(new Uri("https://platform.invalid/"), (host, ct) => Dns.GetHostAddressesAsync(host, ct));
            checkedUrl = await policy.CheckAsync(url, cancellationToken);
        }
        catch (RepositoryUrlException e)
        {
            throw new PackageRepositoryException(e.Message);
        }

        return await FetchCheckedAsync(checkedUrl, gitRef, cancellationToken);
    }

    /// <summary>Fetches from an address already checked: the part of the work past the policy.</summary>
    internal async Task<Fetched> FetchCheckedAsync(AllowedRepositoryUrl url, string gitRef, CancellationToken cancellationToken)
    {
        var upload = limits.Value;
        var scratch = Directory.CreateTempSubdirectory("package-fetch-");
        try
        {
            var (tree, commit) = await GitTrees.FetchRefAsync(url, gitRef.Trim(), new TreeLimits(upload.MaxEntries, upload.MaxBytes, upload.MaxBytes), scratch.FullName, cancellationToken);
            if (tree.SkippedLinks.Count > 0)
            {
                throw new PackageRepositoryException($"{tree.SkippedLinks[0]} is a symbolic link or a submodule; a package holds regular files only.");
            }

            return new Fetched(commit, tree.Files);
        }
        catch (CandidateTreeException e)
        {
            throw new PackageRepositoryException(e.Message);
        }
        finally
        {
            scratch.Delete(recursive: true);
        }
    }
}
