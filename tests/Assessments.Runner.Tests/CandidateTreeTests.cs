using System.Text;
using Assessments.Runner.Submissions;

namespace Assessments.Runner.Tests;

/// <summary>Reading a candidate's working folder on the host: links are listed, never followed;
/// limits stop the read before a file too many or a byte too many is copied.</summary>
public sealed class CandidateTreeTests : IDisposable
{
    private readonly DirectoryInfo _root = Directory.CreateTempSubdirectory("candidate-tree-");

    [Fact]
    public void SocketsAndFifosInTheFolderAreNeitherOpenedNorAnError()
    {
        Write("README.md", "# shop");
        using (var socket = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.Unix, System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Unspecified))
        {
            // A database started with its socket in the working folder, as a local PostgreSQL can be.
            socket.Bind(new System.Net.Sockets.UnixDomainSocketEndPoint(Path.Combine(_root.FullName, ".s.PGSQL.5432")));
            using var mkfifo = System.Diagnostics.Process.Start("mkfifo", [Path.Combine(_root.FullName, "pipe")]);
            mkfifo.WaitForExit();

            var tree = CandidateTree.FromDirectory(_root.FullName, new TreeLimits());

            Assert.Equal(["# shop"], tree.Files.Where(f => f.Content.Length > 0).Select(f => System.Text.Encoding.UTF8.GetString(f.Content)));
        }
    }

    [Fact]
    public void LinksAreListedAndNeverFollowed()
    {
        Write("src/App.cs", "class App {}");
        Write(".git/config", "[core]");
        Write("src/bin/Debug/App.dll", "binary");
        var outside = Directory.CreateTempSubdirectory("outside-");
        System.IO.File.WriteAllText(Path.Combine(outside.FullName, "secret"), "OUTSIDE-SECRET");
        System.IO.File.CreateSymbolicLink(Path.Combine(_root.FullName, "src/secret.txt"), Path.Combine(outside.FullName, "secret"));
        Directory.CreateSymbolicLink(Path.Combine(_root.FullName, "outside"), outside.FullName);

        var tree = CandidateTree.FromDirectory(_root.FullName, new TreeLimits());
        outside.Delete(recursive: true);

        Assert.Equal(["src/App.cs"], tree.Files.Select(f => f.Path));
        Assert.Equal(["outside", "src/secret.txt"], tree.SkippedLinks);
    }

    [Fact]
    public void TooManyFilesStopTheRead()
    {
        for (var i = 0; i < 4; i++)
        {
            Write($"f{i}.txt", "x");
        }

        var error = Assert.Throws<CandidateTreeException>(() => CandidateTree.FromDirectory(_root.FullName, new TreeLimits(MaxFiles: 3)));
        Assert.Contains("more than 3 files", error.Message);
    }

    [Fact]
    public void AFileTooLargeIsNamed()
    {
        Write("small.txt", "x");
        Write("data/huge.bin", new string('x', 2048));

        var error = Assert.Throws<CandidateTreeException>(() => CandidateTree.FromDirectory(_root.FullName, new TreeLimits(MaxFileBytes: 1024)));
        Assert.Contains("data/huge.bin is 2048 bytes", error.Message);
    }

    [Fact]
    public void TheTreeTogetherTooLargeStopsTheRead()
    {
        Write("a.txt", new string('x', 600));
        Write("b.txt", new string('x', 600));

        var error = Assert.Throws<CandidateTreeException>(() => CandidateTree.FromDirectory(_root.FullName, new TreeLimits(MaxBytes: 1000)));
        Assert.Contains("pass 1000 bytes together", error.Message);
    }

    public void Dispose() => _root.Delete(recursive: true);

    private void Write(string path, string text)
    {
        var full = Path.Combine(_root.FullName, path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        System.IO.File.WriteAllText(full, text, new UTF8Encoding(false));
    }
}
