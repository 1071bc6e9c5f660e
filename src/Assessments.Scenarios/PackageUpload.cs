using System.Formats.Tar;
using System.IO.Compression;

namespace Assessments.Scenarios;

/// <summary>How much an uploaded package archive may hold. An archive past any of them is refused
/// as it is read, before the rest is decompressed.</summary>
public sealed record PackageUploadLimits
{
    /// <summary>The archive itself, compressed.</summary>
    public long MaxArchiveBytes { get; init; } = 20 * 1024 * 1024;

    /// <summary>Entries of any kind, folders included.</summary>
    public int MaxEntries { get; init; } = 2000;

    /// <summary>The files' bytes once decompressed, all together.</summary>
    public long MaxBytes { get; init; } = 64 * 1024 * 1024;

    /// <summary>Decompressed bytes per compressed byte, for the whole archive; a package of source
    /// files compresses three to ten times.</summary>
    public double MaxCompressionRatio { get; init; } = 100;
}

/// <summary>Why an uploaded archive was refused; the message names the entry and the rule.</summary>
public sealed class PackageUploadException(string message) : Exception(message);

/// <summary>Reads a package uploaded as a <c>.tar.gz</c> or a <c>.zip</c> into memory: nothing is
/// written to disk, so no entry can land outside a scratch folder however it is named. Only
/// regular files and folders are taken; links, devices, paths that leave the package and archives
/// past <see cref="PackageUploadLimits"/> are refused with the entry and the reason. A package
/// inside one top folder (how a folder is usually archived) is read from that folder.</summary>
public static class PackageUpload
{
    private static readonly byte[] Gzip = [0x1f, 0x8b];
    private static readonly byte[] Zip = [(byte)'P', (byte)'K', 3, 4];

    /// <summary>The package's files in canonical order.</summary>
    /// <exception cref="PackageUploadException">The archive is refused; nothing of it is kept.</exception>
    public static async Task<IReadOnlyList<PackageFile>> ReadAsync(Stream upload, PackageUploadLimits limits, CancellationToken cancellationToken)
    {
        // Buffered up to the limit: both formats need to be read from the start, a zip from its end.
        var archive = new MemoryStream();
        var buffer = new byte[81920];
        int read;
        while ((read = await upload.ReadAsync(buffer, cancellationToken)) > 0)
        {
            if (archive.Length + read > limits.MaxArchiveBytes)
            {
                throw new PackageUploadException($"the archive is larger than {limits.MaxArchiveBytes:N0} bytes");
            }

            archive.Write(buffer, 0, read);
        }

        archive.Position = 0;
        var head = archive.GetBuffer().AsSpan(0, (int)Math.Min(4, archive.Length));
        var budget = new Budget(limits, archive.Length);
        var entries = head.StartsWith(Gzip) ? await ReadTarGzAsync(archive, budget, cancellationToken)
            : head.StartsWith(Zip) ? await ReadZipAsync(archive, budget, cancellationToken)
            : throw new PackageUploadException("the upload is neither a .tar.gz nor a .zip archive");

        var files = WithoutTopFolder(entries);
        files.Sort((a, b) => PackageFiles.CompareOrdinalUtf8(a.Path, b.Path));
        return files;
    }

    private static async Task<List<PackageFile>> ReadTarGzAsync(Stream archive, Budget budget, CancellationToken cancellationToken)
    {
        var files = new List<PackageFile>();
        await using var gzip = new GZipStream(archive, CompressionMode.Decompress, leaveOpen: true);
        await using var reader = new TarReader(gzip, leaveOpen: true);
        try
        {
            while (await reader.GetNextEntryAsync(copyData: false, cancellationToken) is { } entry)
            {
                var path = budget.Entry(entry.Name);
                switch (entry.EntryType)
                {
                    case TarEntryType.Directory:
                        continue;
                    case TarEntryType.RegularFile or TarEntryType.V7RegularFile or TarEntryType.ContiguousFile:
                        var content = await budget.ReadAsync(path, entry.DataStream, cancellationToken);
                        files.Add(new PackageFile(path, (entry.Mode & UnixFileMode.UserExecute) != 0, content));
                        continue;
                    case TarEntryType.SymbolicLink:
                        throw new PackageUploadException($"{path} is a symbolic link (to {entry.LinkName}); a package holds regular files only");
                    case TarEntryType.HardLink:
                        throw new PackageUploadException($"{path} is a hard link (to {entry.LinkName}); a package holds regular files only");
                    case TarEntryType.CharacterDevice or TarEntryType.BlockDevice or TarEntryType.Fifo:
                        throw new PackageUploadException($"{path} is a device file ({entry.EntryType}); a package holds regular files only");
                    default:
                        throw new PackageUploadException($"{path} is a {entry.EntryType} entry; a package holds regular files only");
                }
            }
        }
        catch (Exception e) when (e is InvalidDataException or FormatException or EndOfStreamException or IOException or OverflowException or InvalidOperationException or ArgumentException)
        {
            // What TarReader and GZipStream throw on damaged headers, sizes and streams (fuzzing
            // found each); none of ours is among them (ours is PackageUploadException).
            throw new PackageUploadException($"the archive is not a readable .tar.gz: {e.Message}");
        }

        return files;
    }

    private static async Task<List<PackageFile>> ReadZipAsync(Stream archive, Budget budget, CancellationToken cancellationToken)
    {
        var files = new List<PackageFile>();
        ZipArchive zip;
        try
        {
            zip = new ZipArchive(archive, ZipArchiveMode.Read, leaveOpen: true);
        }
        catch (InvalidDataException e)
        {
            throw new PackageUploadException($"the archive is not a readable .zip: {e.Message}");
        }

        using (zip)
        {
            // Reading the central directory (Entries) can fail as late as the first entry: a
            // damaged archive is refused with the reason, never an exception the page cannot answer.
            IReadOnlyList<ZipArchiveEntry> entries;
            try
            {
                entries = zip.Entries;
            }
            catch (Exception e) when (e is InvalidDataException or EndOfStreamException or IOException or ArgumentException)
            {
                throw new PackageUploadException($"the archive is not a readable .zip: {e.Message}");
            }

            foreach (var entry in entries)
            {
                // Where a zip made on Windows puts its separators.
                var path = budget.Entry(entry.FullName.Replace('\\', '/'));
                var unixMode = (entry.ExternalAttributes >> 16) & 0xFFFF;
                var kind = unixMode & 0xF000;
                if (entry.FullName.EndsWith('/') || entry.FullName.EndsWith('\\') || kind == 0x4000)
                {
                    continue;
                }

                if (kind == 0xA000)
                {
                    throw new PackageUploadException($"{path} is a symbolic link; a package holds regular files only");
                }

                if (kind is 0x1000 or 0x2000 or 0x6000 or 0xC000)
                {
                    throw new PackageUploadException($"{path} is a device file; a package holds regular files only");
                }

                try
                {
                    await using var data = await entry.OpenAsync(cancellationToken);
                    var content = await budget.ReadAsync(path, data, cancellationToken);
                    files.Add(new PackageFile(path, (unixMode & 0x40) != 0, content));
                }
                catch (Exception e) when (e is InvalidDataException or EndOfStreamException or IOException or NotSupportedException)
                {
                    throw new PackageUploadException($"{path} does not decompress: {e.Message}");
                }
            }
        }

        return files;
    }

    /// <summary>Strips the one folder every file is in when the manifest is not at the top.</summary>
    private static List<PackageFile> WithoutTopFolder(List<PackageFile> files)
    {
        if (files.Count == 0)
        {
            throw new PackageUploadException("the archive holds no files");
        }

        if (files.Any(f => f.Path == ScenarioPackage.ManifestFileName))
        {
            return files;
        }

        var top = files[0].Path.Split('/')[0];
        return files.All(f => f.Path.StartsWith(top + "/", StringComparison.Ordinal))
            ? [.. files.Select(f => f with { Path = f.Path[(top.Length + 1)..] })]
            : files;
    }

    /// <summary>What the archive has used of its limits so far.</summary>
    private sealed class Budget(PackageUploadLimits limits, long compressedBytes)
    {
        private readonly HashSet<string> _paths = new(StringComparer.Ordinal);
        private int _entries;
        private long _bytes;

        /// <summary>Counts an entry and checks its name: relative, inside the package, once.</summary>
        public string Entry(string name)
        {
            if (++_entries > limits.MaxEntries)
            {
                throw new PackageUploadException($"the archive has more than {limits.MaxEntries:N0} entries");
            }

            var path = name.TrimEnd('/');
            if (path.Length == 0 || path.StartsWith('/') || (path.Length >= 2 && path[1] == ':'))
            {
                throw new PackageUploadException($"'{name}' is an absolute path; every entry must be relative to the package");
            }

            var parts = path.Split('/');
            if (parts.Any(p => p == ".."))
            {
                throw new PackageUploadException($"'{name}' leaves the package (a '..' in its path)");
            }

            if (parts.Any(p => p is "" or ".") || path.Any(char.IsControl))
            {
                throw new PackageUploadException($"'{name}' is not a plain relative path");
            }

            if (!_paths.Add(path))
            {
                throw new PackageUploadException($"'{path}' is in the archive twice");
            }

            return path;
        }

        /// <summary>Reads one file's bytes, stopping as soon as the archive passes a limit.</summary>
        public async Task<byte[]> ReadAsync(string path, Stream? data, CancellationToken cancellationToken)
        {
            if (data is null)
            {
                return [];
            }

            using var content = new MemoryStream();
            var buffer = new byte[81920];
            int read;
            while ((read = await data.ReadAsync(buffer, cancellationToken)) > 0)
            {
                _bytes += read;
                if (_bytes > limits.MaxBytes)
                {
                    throw new PackageUploadException($"the files add up to more than {limits.MaxBytes:N0} bytes decompressed (at {path})");
                }

                // A floor for tiny archives: a few kilobytes of text may well compress a hundredfold.
                if (_bytes > 1024 * 1024 && _bytes > limits.MaxCompressionRatio * compressedBytes)
                {
                    throw new PackageUploadException($"the archive decompresses more than {limits.MaxCompressionRatio:0.#} times its size (at {path}): refused as a compression bomb");
                }

                content.Write(buffer, 0, read);
            }

            return content.ToArray();
        }
    }
}
