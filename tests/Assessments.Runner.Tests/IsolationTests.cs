using Assessments.Runner.Execution;
using Assessments.Runner.Sandbox;

namespace Assessments.Runner.Tests;

/// <summary>The isolation probe's output as reports carry it, and the operator's minimum judged
/// against it.</summary>
public sealed class IsolationMinimumTests
{
    private const string Sandboxed = """
        uid=10002
        CapEff=0000000000000000
        NoNewPrivs=1
        Seccomp=2
        interfaces=lo
        root=ro
        memory=1073741824
        memory_swap=1073741824
        pids=256
        cpu=200000 100000
        open_files=4096
        file_size_blocks=1048576
        """;

    [Fact]
    public void ProbeOutputBecomesTheReportedIsolation()
    {
        var entries = IsolationReport.Parse(Sandboxed).Entries("candidate").ToDictionary();

        Assert.Equal("10002", entries["candidate.uid"]);
        Assert.Equal("lo", entries["candidate.network"]);
        Assert.Equal("0000000000000000", entries["candidate.capabilities"]);
        Assert.Equal("filter", entries["candidate.seccomp"]);
        Assert.Equal("yes", entries["candidate.read_only_root"]);
        Assert.Equal("1024", entries["candidate.memory_mb"]);
        Assert.Equal("256", entries["candidate.pids"]);
        Assert.Equal("2", entries["candidate.cpus"]);
    }

    [Fact]
    public void ASandboxedSideMeetsTheDefaultMinimum()
    {
        Assert.Empty(new IsolationMinimum().ShortfallsOf(IsolationReport.Parse(Sandboxed)));
    }

    [Fact]
    public void AnUnconfinedSideFallsShortOnEveryCount()
    {
        // What `docker run --privileged --network host` as root reports.
        var unconfined = IsolationReport.Parse("""
            uid=0
            CapEff=000001ffffffffff
            NoNewPrivs=0
            Seccomp=0
            interfaces=lo,eth0,docker0
            root=rw
            memory=9223372036854771712
            pids=max
            """);

        var shortfalls = new IsolationMinimum().ShortfallsOf(unconfined);

        Assert.Equal(8, shortfalls.Count);
        Assert.Contains(shortfalls, s => s.Contains("lo, eth0, docker0", StringComparison.Ordinal));
        Assert.Contains("it runs as root", shortfalls);
        Assert.Contains("no memory limit applies", shortfalls);
    }

    [Fact]
    public void AnOperatorMayAcceptLess()
    {
        var writableRoot = IsolationReport.Parse(Sandboxed.Replace("root=ro", "root=rw", StringComparison.Ordinal));

        Assert.Single(new IsolationMinimum().ShortfallsOf(writableRoot));
        Assert.Empty(new IsolationMinimum { ReadOnlyRoot = false }.ShortfallsOf(writableRoot));
    }
}

/// <summary>Packages judged from a restore's assets file.</summary>
public sealed class AssetsFileTests
{
    private static readonly IReadOnlySet<string> Allowed = new HashSet<string> { "npgsql/10.0.3", "microsoft.extensions.logging.abstractions/10.0.0" };

    [Fact]
    public void PackagesInTheSetPass()
    {
        Assert.Null(AssetsFile.Judge("""
            { "version": 3, "libraries": {
                "Npgsql/10.0.3": { "type": "package" },
                "Microsoft.Extensions.Logging.Abstractions/10.0.0": { "type": "package" },
                "Greeting.Api/1.0.0": { "type": "project" } } }
            """, Allowed));
    }

    [Fact]
    public void AResolvedPackageOutsideTheSetIsNamed()
    {
        // Resolved from a source the candidate added (a folder of .nupkg files in their tree, say).
        var refusal = AssetsFile.Judge("""
            { "version": 3, "libraries": { "Npgsql/10.0.3": { "type": "package" }, "Dapper/2.1.35": { "type": "package" } } }
            """, Allowed);
        Assert.Equal("Not in the scenario's allowed packages: Dapper 2.1.35. Use only the packages the brief lists.", refusal);
    }

    [Fact]
    public void APackageTheOfflineSourceDoesNotHaveIsNamed()
    {
        var refusal = AssetsFile.Judge("""
            { "version": 3, "libraries": {}, "logs": [
                { "code": "NU1101", "level": "Error", "message": "Unable to find package Newtonsoft.Json.", "libraryId": "Newtonsoft.Json" } ] }
            """, Allowed);
        Assert.Contains("Newtonsoft.Json", refusal);
    }

    [Fact]
    public void AnUnreadableAssetsFileIsRefused()
    {
        Assert.StartsWith("The restore's assets file could not be read", AssetsFile.Judge("{ not json", Allowed));
    }
}
