using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Assessments.Scenarios;

/// <summary>The immutable identity of a scenario version: SHA-256 over the package's canonical form
/// (docs/decisions/006-scenario-content-hash.md). Same files, same modes, same bytes: same hash,
/// on any machine, whatever the file times, owners or the order a file system lists them in.</summary>
public static class ContentHash
{
    private static readonly byte[] Header = Encoding.ASCII.GetBytes("assessments-scenario-package-v1\n");

    /// <summary>Lower-case hex SHA-256 of <paramref name="files"/>, which must be in canonical order.</summary>
    public static string Compute(IReadOnlyList<PackageFile> files)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(Header);
        string? previous = null;
        foreach (var file in files)
        {
            if (previous is not null && PackageFiles.CompareOrdinalUtf8(previous, file.Path) >= 0)
            {
                throw new ArgumentException($"Files must be sorted by path without repeats; '{file.Path}' follows '{previous}'.", nameof(files));
            }

            previous = file.Path;
            // path NUL mode NUL length NUL bytes: unambiguous without escaping, since paths hold no NUL.
            hash.AppendData(Encoding.UTF8.GetBytes(file.Path));
            hash.AppendData([0]);
            hash.AppendData(Encoding.ASCII.GetBytes(file.Mode));
            hash.AppendData([0]);
            hash.AppendData(Encoding.ASCII.GetBytes(file.Content.Length.ToString(CultureInfo.InvariantCulture)));
            hash.AppendData([0]);
            hash.AppendData(file.Content);
        }

        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }
}
