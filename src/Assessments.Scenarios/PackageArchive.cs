using System.Formats.Tar;

namespace Assessments.Scenarios;

/// <summary>A package as one tar stream in canonical order, for storing a version by its hash and
/// for moving it to a worker. Times and owners are fixed, so only paths, modes and bytes travel.</summary>
public static class PackageArchive
{
    /// <summary>Writes <paramref name="files"/> as a tar stream.</summary>
    public static async Task WriteAsync(IReadOnlyList<PackageFile> files, Stream destination, CancellationToken cancellationToken)
    {
        await using var writer = new TarWriter(destination, TarEntryFormat.Pax, leaveOpen: true);
        foreach (var file in files)
        {
            var entry = new PaxTarEntry(TarEntryType.RegularFile, file.Path)
            {
                Mode = file.Executable
                    ? UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute
                    : UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead,
                ModificationTime = DateTimeOffset.UnixEpoch,
                DataStream = new MemoryStream(file.Content, writable: false),
            };
            await writer.WriteEntryAsync(entry, cancellationToken);
        }
    }

    /// <summary>Reads a tar stream written by <see cref="WriteAsync"/> back into files, in canonical order.
    /// Anything but regular files, and paths that leave the package, are refused.</summary>
    public static async Task<IReadOnlyList<PackageFile>> ReadAsync(Stream source, CancellationToken cancellationToken)
    {
        var files = new List<PackageFile>();
        await using var reader = new TarReader(source, leaveOpen: true);
        while (await reader.GetNextEntryAsync(copyData: true, cancellationToken) is { } entry)
        {
            if (entry.EntryType is not (TarEntryType.RegularFile or TarEntryType.V7RegularFile))
            {
                throw new InvalidDataException($"Package archive entry '{entry.Name}' is a {entry.EntryType}; only regular files are allowed.");
            }

            if (entry.Name.StartsWith('/') || entry.Name.Split('/').Any(part => part is ".." or "." or ""))
            {
                throw new InvalidDataException($"Package archive entry '{entry.Name}' is not a plain relative path.");
            }

            using var content = new MemoryStream();
            if (entry.DataStream is not null)
            {
                await entry.DataStream.CopyToAsync(content, cancellationToken);
            }

            var executable = (entry.Mode & UnixFileMode.UserExecute) != 0;
            files.Add(new PackageFile(entry.Name, executable, content.ToArray()));
        }

        files.Sort((a, b) => PackageFiles.CompareOrdinalUtf8(a.Path, b.Path));
        return files;
    }
}
