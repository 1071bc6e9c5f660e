using System.Formats.Tar;
using System.IO.Compression;
using System.Text;
using Assessments.Scenarios;
using Assessments.Tests.Shared;

namespace Assessments.Scenarios.Tests;

/// <summary>Uploaded package archives, crafted: a good package reads to the same version as its
/// folder, whichever format and with or without a top folder; every hostile kind is refused with
/// the entry and the reason.</summary>
public sealed class PackageUploadTests
{
    private static readonly PackageUploadLimits Limits = new();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task APackageReadsToTheSameVersionAsItsFolderFromATarGzWithATopFolderAndFromAZip()
    {
        using var package = new TestPackage();
        var folder = package.Load().GetPackageOrThrow(package.Display);
        var files = Directory.EnumerateFiles(package.Root, "*", SearchOption.AllDirectories)
            .Select(f => (Path.GetRelativePath(package.Root, f).Replace('\\', '/'), File.ReadAllBytes(f)))
            .ToList();

        var fromTar = await PackageUpload.ReadAsync(TarGz([.. files.Select(f => Regular("tiny/" + f.Item1, f.Item2))]), Limits, Ct);
        var fromZip = await PackageUpload.ReadAsync(ZipOf([.. files.Select(f => (f.Item1, f.Item2, 0x81A4))]), Limits, Ct);

        foreach (var read in new[] { fromTar, fromZip })
        {
            var loaded = ScenarioPackage.LoadFiles(read, "upload.tar.gz").GetPackageOrThrow("upload");
            Assert.Equal(folder.ContentHash, loaded.ContentHash);
        }
    }

    [Fact]
    public async Task ABrokenPackageInAnArchiveGetsEveryErrorWithFileLineAndField()
    {
        using var package = new TestPackage();
        package.EditManifest("version: \"1.0\"", "version: [1]");
        package.EditManifest("id: tiny", "id: Not A Slug");
        var files = Directory.EnumerateFiles(package.Root, "*", SearchOption.AllDirectories)
            .Select(f => Regular(Path.GetRelativePath(package.Root, f), File.ReadAllBytes(f)))
            .ToArray();

        var read = await PackageUpload.ReadAsync(TarGz(files), Limits, Ct);
        var result = ScenarioPackage.LoadFiles(read, "tiny.tar.gz");

        Assert.False(result.IsValid);
        var errors = result.Errors.Select(e => e.ToString()).ToList();
        Assert.True(errors.Count >= 2, string.Join("\n", errors));
        Assert.Contains(errors, e => e.StartsWith("tiny.tar.gz/scenario.yaml:1:", StringComparison.Ordinal) && e.Contains("id", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("tiny.tar.gz/scenario.yaml:2:", StringComparison.Ordinal) && e.Contains("version", StringComparison.Ordinal));
    }

    [Fact]
    public Task AParentPathInATarIsRefused() =>
        RefusedAsync(TarGz(Regular("scenario.yaml", "id: x"), Regular("template/../../escaped.txt", "x")), "'template/../../escaped.txt' leaves the package");

    [Fact]
    public Task AParentPathInAZipIsRefused() =>
        RefusedAsync(ZipOf(("scenario.yaml", "id: x"u8.ToArray(), 0x81A4), ("..\\escaped.txt", "x"u8.ToArray(), 0x81A4)), "'../escaped.txt' leaves the package");

    [Fact]
    public Task AnAbsolutePathIsRefused() =>
        RefusedAsync(TarGz(Regular("/etc/cron.d/evil", "x")), "'/etc/cron.d/evil' is an absolute path");

    [Fact]
    public Task ASymbolicLinkInATarIsRefused() =>
        RefusedAsync(TarGz(Regular("scenario.yaml", "id: x"), new PaxTarEntry(TarEntryType.SymbolicLink, "template/secrets") { LinkName = "/etc/shadow" }),
            "template/secrets is a symbolic link (to /etc/shadow)");

    [Fact]
    public Task ASymbolicLinkInAZipIsRefused() =>
        RefusedAsync(ZipOf(("scenario.yaml", "id: x"u8.ToArray(), 0x81A4), ("template/secrets", "/etc/shadow"u8.ToArray(), 0xA1FF)), "template/secrets is a symbolic link");

    [Fact]
    public Task AHardLinkIsRefused() =>
        RefusedAsync(TarGz(Regular("scenario.yaml", "id: x"), new PaxTarEntry(TarEntryType.HardLink, "template/passwd") { LinkName = "../../etc/passwd" }),
            "template/passwd is a hard link");

    [Fact]
    public Task ADeviceFileIsRefused() =>
        RefusedAsync(TarGz(Regular("scenario.yaml", "id: x"), new PaxTarEntry(TarEntryType.CharacterDevice, "template/null") { DeviceMajor = 1, DeviceMinor = 3 }),
            "template/null is a device file (CharacterDevice)");

    [Fact]
    public Task AFifoIsRefused() =>
        RefusedAsync(TarGz(Regular("scenario.yaml", "id: x"), new PaxTarEntry(TarEntryType.Fifo, "template/pipe")), "template/pipe is a device file (Fifo)");

    [Fact]
    public Task MoreEntriesThanAllowedAreRefused() =>
        RefusedAsync(TarGz([.. Enumerable.Range(0, 6).Select(i => Regular($"f{i}.txt", "x"))]), "more than 5 entries", Limits with { MaxEntries = 5 });

    [Fact]
    public Task MoreBytesThanAllowedAreRefused() =>
        RefusedAsync(TarGz(Regular("big.bin", RandomBytes(4096))), "more than 1,000 bytes decompressed (at big.bin)", Limits with { MaxBytes = 1000 });

    [Fact]
    public Task ACompressionBombIsRefusedBeforeItIsAllRead() =>
        RefusedAsync(TarGz(Regular("zeros.bin", new byte[32 * 1024 * 1024])), "decompresses more than 100 times its size (at zeros.bin): refused as a compression bomb");

    [Fact]
    public Task AnArchiveLargerThanAllowedIsRefused() =>
        RefusedAsync(TarGz(Regular("big.bin", RandomBytes(4096))), "the archive is larger than 1,024 bytes", Limits with { MaxArchiveBytes = 1024 });

    [Fact]
    public Task SomethingElseIsNotAnArchive() =>
        RefusedAsync(new MemoryStream("id: tiny\n"u8.ToArray()), "neither a .tar.gz nor a .zip");

    [Fact]
    public Task AnEntryTwiceIsRefused() =>
        RefusedAsync(TarGz(Regular("scenario.yaml", "a"), Regular("scenario.yaml", "b")), "'scenario.yaml' is in the archive twice");

    [Fact]
    public Task AZipWhoseDirectoryMiscountsItsEntriesIsRefused()
    {
        // Found by fuzzing: the zip opens, and reading its entries throws InvalidDataException.
        var zip = ZipOf(("scenario.yaml", "id: tiny\n"u8.ToArray(), 0x81A4), ("README.md", "hi\n"u8.ToArray(), 0x81A4)).ToArray();
        var end = zip.AsSpan().LastIndexOf([(byte)0x50, (byte)0x4b, (byte)0x05, (byte)0x06]);
        zip[end + 8] = 3;  // entries on this disk
        zip[end + 10] = 3; // entries in all
        return RefusedAsync(new MemoryStream(zip), "not a readable .zip");
    }

    [Fact]
    public Task ATarWhoseExtendedHeaderClaimsMoreThanItHoldsIsRefused()
    {
        // Found by fuzzing: TarReader throws InvalidOperationException or OverflowException for it.
        var tar = new MemoryStream();
        using (var writer = new TarWriter(tar, TarEntryFormat.Pax, leaveOpen: true))
        {
            writer.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, "scenario.yaml", new Dictionary<string, string> { ["comment"] = "x" }) { DataStream = new MemoryStream("id: tiny\n"u8.ToArray()) });
        }

        var bytes = tar.ToArray();
        Encoding.ASCII.GetBytes("77777777777\0").CopyTo(bytes, 124);  // the 'x' header's size field
        var gzipped = new MemoryStream();
        using (var gzip = new GZipStream(gzipped, CompressionLevel.Fastest, leaveOpen: true))
        {
            gzip.Write(bytes);
        }

        gzipped.Position = 0;
        return RefusedAsync(gzipped, "not a readable .tar.gz");
    }

    private static async Task RefusedAsync(Stream archive, string reason, PackageUploadLimits? limits = null)
    {
        var error = await Assert.ThrowsAsync<PackageUploadException>(() => PackageUpload.ReadAsync(archive, limits ?? Limits, Ct));
        Assert.Contains(reason, error.Message);
    }

    private static PaxTarEntry Regular(string path, string text) => Regular(path, Encoding.UTF8.GetBytes(text));

    private static PaxTarEntry Regular(string path, byte[] content) =>
        new(TarEntryType.RegularFile, path) { DataStream = new MemoryStream(content), Mode = UnixFileMode.UserRead | UnixFileMode.UserWrite };

    private static byte[] RandomBytes(int count)
    {
        var bytes = new byte[count];
        new Random(17).NextBytes(bytes);
        return bytes;
    }

    private static MemoryStream TarGz(params TarEntry[] entries)
    {
        var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Fastest, leaveOpen: true))
        using (var writer = new TarWriter(gzip, TarEntryFormat.Pax, leaveOpen: true))
        {
            foreach (var entry in entries)
            {
                writer.WriteEntry(entry);
            }
        }

        output.Position = 0;
        return output;
    }

    /// <param name="entries">Name, content, and the Unix mode kept in the entry's external
    /// attributes (0x81A4 a regular file, 0xA1FF a symbolic link).</param>
    private static MemoryStream ZipOf(params (string Name, byte[] Content, int Mode)[] entries)
    {
        var output = new MemoryStream();
        using (var zip = new ZipArchive(output, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (var (name, content, mode) in entries)
            {
                var entry = zip.CreateEntry(name);
                entry.ExternalAttributes = mode << 16;
                using var stream = entry.Open();
                stream.Write(content);
            }
        }

        output.Position = 0;
        return output;
    }
}
