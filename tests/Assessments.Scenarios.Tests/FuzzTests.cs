using System.Formats.Tar;
using System.IO.Compression;
using System.Text;
using Assessments.Scenarios;
using Assessments.Scenarios.Manifest;

namespace Assessments.Scenarios.Tests;

/// <summary>The manifest parser and validator, and the upload reader, on thousands of inputs
/// mutated from the library's own packages: whatever an author or an attacker hands in gets errors
/// that say where, never an exception, and never a hang. Seeded; a failure says how to replay it.</summary>
public sealed class FuzzTests
{
    private static readonly PackageUploadLimits Limits = new();

    private static readonly DateTimeOffset Epoch = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>What YAML offers beyond plain values: anchors and aliases (an alias bomb among
    /// them), tags, complex keys, flow collections left open, deep nesting, odd scalars.</summary>
    private static readonly string[] YamlTokens =
    [
        "&a [x, *a]", "*nowhere", "!!binary AAAA", "!!python/object:os.system", "? [a, b]", "{", "[", "}", "]", "- ", "~", "null", "-1",
        "99999999999999999999999", "1e400", "0x10", "'", "\"", "\"\\u0000\"", "\t", "<<: *a", "|", ">-", "%YAML 1.1", "---", "...",
        new string('x', 5000), string.Concat(Enumerable.Repeat("[", 120)), "2026-13-45T99:99:99", "00:00:00", "-00:30:00", "999999:00:00",
        "../../etc/passwd", "/absolute", "C:\\windows", "\u202e", "\ud83d\ude00", "*", "&", "@", "`", "%", "!", "#",
        string.Join('\n', ["a: &a [\"x\",\"x\",\"x\",\"x\",\"x\",\"x\",\"x\",\"x\"]", "b: &b [*a,*a,*a,*a,*a,*a,*a,*a]", "c: &c [*b,*b,*b,*b,*b,*b,*b,*b]", "d: &d [*c,*c,*c,*c,*c,*c,*c,*c]", "e: &e [*d,*d,*d,*d,*d,*d,*d,*d]", "f: [*e,*e,*e,*e,*e,*e,*e,*e]"]),
    ];

    private static readonly Lazy<IReadOnlyList<ScenarioPackage>> Library = new(() =>
        [.. Directory.GetDirectories(Path.Combine(RepositoryRoot.Path, "scenarios")).Order()
            .Select(d => ScenarioPackage.Load(d).GetPackageOrThrow(d))]);

    [Fact]
    public async Task MutatedManifestsGetErrorsThatSayWhereNeverAnExceptionOrAHang()
    {
        await Fuzzer.RunAsync(
            "manifest",
            iterations: 3000,
            fuzzer =>
            {
                var package = fuzzer.Pick(Library.Value);
                var yaml = Encoding.UTF8.GetString(package.Files.Single(f => f.Path == ScenarioPackage.ManifestFileName).Content);
                return (Package: package, Yaml: fuzzer.MutateText(yaml, YamlTokens));
            },
            input =>
            {
                var files = input.Package.Files.Select(f => f.Path == ScenarioPackage.ManifestFileName ? f with { Content = Encoding.UTF8.GetBytes(input.Yaml) } : f).ToList();
                var loaded = ScenarioPackage.LoadFiles(files, "fuzzed");
                Assert.True(loaded.Package is not null || loaded.Errors.Count > 0, "neither a package nor an error");
                Assert.All(loaded.Errors, e => Assert.False(string.IsNullOrWhiteSpace(e.ToString()), "an error that says nothing"));
                return Task.CompletedTask;
            },
            input => Encoding.UTF8.GetBytes(input.Yaml));
    }

    [Fact]
    public async Task MutatedArchivesAreReadOrRefusedWithAReasonNeverAnExceptionOrAHang()
    {
        var archives = new List<(string Kind, byte[] Bytes)>();
        foreach (var package in Library.Value)
        {
            archives.Add(("tar", await TarAsync(package.Files)));
            archives.Add(("zip", Zip(package.Files)));
        }

        await Fuzzer.RunAsync(
            "archive",
            iterations: 1500,
            fuzzer =>
            {
                var (kind, bytes) = fuzzer.Pick(archives);
                // A mutated tar is compressed again so the tar reader sees it; a gzip or zip stream
                // is mutated as it is, so the decompressors and the zip directory do.
                return fuzzer.Random.Next(3) switch
                {
                    0 when kind == "tar" => Gzip(fuzzer.Mutate(bytes)),
                    1 when kind == "tar" => fuzzer.Mutate(Gzip(bytes)),
                    _ when kind == "zip" => fuzzer.Mutate(bytes),
                    _ => fuzzer.Mutate(Gzip(bytes)),
                };
            },
            async bytes =>
            {
                IReadOnlyList<PackageFile> files;
                try
                {
                    files = await PackageUpload.ReadAsync(new MemoryStream(bytes), Limits, CancellationToken.None);
                }
                catch (PackageUploadException e)
                {
                    Assert.False(string.IsNullOrWhiteSpace(e.Message));
                    return;
                }

                Assert.All(files, f => Assert.False(f.Path.StartsWith('/') || f.Path.Split('/').Contains(".."), $"{f.Path} leaves the package"));
                ScenarioPackage.LoadFiles(files, "fuzzed");
            },
            bytes => bytes);
    }

    private static async Task<byte[]> TarAsync(IReadOnlyList<PackageFile> files)
    {
        var output = new MemoryStream();
        await using (var writer = new TarWriter(output, TarEntryFormat.Pax, leaveOpen: true))
        {
            foreach (var file in files)
            {
                // Fixed times, so a seed replays the same bytes.
                await writer.WriteEntryAsync(new PaxTarEntry(TarEntryType.RegularFile, "package/" + file.Path) { DataStream = new MemoryStream(file.Content), ModificationTime = Epoch });
            }
        }

        return output.ToArray();
    }

    private static byte[] Gzip(byte[] bytes)
    {
        var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Fastest, leaveOpen: true))
        {
            gzip.Write(bytes);
        }

        return output.ToArray();
    }

    private static byte[] Zip(IReadOnlyList<PackageFile> files)
    {
        var output = new MemoryStream();
        using (var zip = new ZipArchive(output, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (var file in files)
            {
                var entry = zip.CreateEntry(file.Path);
                entry.LastWriteTime = Epoch;
                using var stream = entry.Open();
                stream.Write(file.Content);
            }
        }

        return output.ToArray();
    }
}
