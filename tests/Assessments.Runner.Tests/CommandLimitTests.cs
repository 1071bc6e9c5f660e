using Assessments.Runner.Execution;
using Assessments.Runner.Hosting;
using Assessments.Runner.RepositoryTests;

namespace Assessments.Runner.Tests;

/// <summary>What stopped a command, read from how it ended, and the words a reviewer gets.</summary>
public sealed class CommandLimitTests
{
    [Theory]
    [InlineData(153, "", LimitHit.FileSize)]
    [InlineData(1, "dd: error writing 'fill3': No space left on device", LimitHit.DiskFull)]
    [InlineData(1, "sh: fork: retry: Resource temporarily unavailable", LimitHit.Processes)]
    [InlineData(134, "Fatal error. pthread_create failed", LimitHit.Processes)]
    [InlineData(1, "Assert.Equal() Failure", null)]
    [InlineData(0, "No space left on device", null)]
    public void TheLimitBehindAFailureComesFromTheExitAndTheOutput(int exit, string output, LimitHit? expected)
    {
        Assert.Equal(expected, Result(exit, output).LimitFromOutput());
    }

    [Fact]
    public void AStageKeepsTheEndOfItsOutputFromALineStart()
    {
        var lines = string.Join('\n', Enumerable.Range(1, 2000).Select(i => $"line {i} of the build"));
        var stage = Result(1, lines).ToStage("build", Assessments.Runner.Results.Side.Candidate);

        Assert.NotNull(stage.Log);
        Assert.EndsWith("line 2000 of the build", stage.Log);
        Assert.InRange(stage.Log.Length, CommandResult.StageLogChars - 100, CommandResult.StageLogChars + 100);
        Assert.Matches(@"^\[[0-9,]+ earlier characters left out\]\nline \d+ of the build\n", stage.Log);
        Assert.Equal("short", Result(0, "short").ToStage("build", Assessments.Runner.Results.Side.Candidate).Log);
        Assert.Null(Result(0, "").ToStage("build", Assessments.Runner.Results.Side.Candidate).Log);
    }

    [Fact]
    public void TheHostsOwnFindingComesFirst()
    {
        Assert.Equal(LimitHit.OutOfMemory, (Result(137, "No space left on device") with { Limit = LimitHit.OutOfMemory }).LimitFromOutput());
    }

    [Theory]
    [InlineData(1, null, "exited with code 1")]
    [InlineData(139, null, "were killed by signal 11 (SIGSEGV)")]
    [InlineData(153, LimitHit.FileSize, "were killed for writing a file past the file-size limit (512 MB per file)")]
    public void ARunWithoutResultsIsDescribedByItsCause(int exit, LimitHit? limit, string expected)
    {
        Assert.Equal(expected, TestRunFailure.Describe(Result(exit, ""), limit, new DescribingHost()));
    }

    [Fact]
    public void AServiceMayPrintMoreTheLongerItRunsACommandMayNot()
    {
        var allowance = new OutputAllowance(16L << 20, 4L << 20);
        Assert.Equal(16L << 20, allowance.AllowedAfter(TimeSpan.FromMinutes(5), longRunning: false));
        Assert.Equal(56L << 20, allowance.AllowedAfter(TimeSpan.FromSeconds(10), longRunning: true));
    }

    [Theory]
    [InlineData("""{"libraries": {"xunit.v3.runner.inproc.console/3.2.2": {}}}""", 3)]
    [InlineData("""{"libraries": {"xunit.v3.runner.inproc.console/4.0.2": {}}}""", 4)]
    [InlineData("""{"libraries": {}}""", null)]
    [InlineData(null, null)]
    public void TheXunitV3RunnerVersionIsReadFromTheBuild(string? deps, int? major)
    {
        Assert.Equal(major, XunitV3Runner.MajorVersion(deps));
    }

    private static CommandResult Result(int exit, string output) => new(exit, output, false, false, TimeSpan.FromSeconds(1));

    /// <summary>Only <see cref="IGradingHost.Describe"/> is asked for.</summary>
    private sealed class DescribingHost : IGradingHost
    {
        public string Name => "test";
        public IReadOnlyDictionary<string, string> Isolation => new Dictionary<string, string>();
        public string? ImageDigest => null;
        public string PostgresBin => "";
        public string BuildCacheScope => "";
        public PackageSource? Packages => null;
        public string Describe(LimitHit limit) => limit == LimitHit.FileSize ? "the file-size limit (512 MB per file)" : limit.ToString();
        public string PathOf(Assessments.Runner.Results.Side side, string relative) => throw new NotSupportedException();
        public int AllocatePort() => throw new NotSupportedException();
        public Task PutFilesAsync(Assessments.Runner.Results.Side side, string folder, IEnumerable<Scenarios.PackageFile> files, CancellationToken cancellationToken) => throw new NotSupportedException();
        public Task<IReadOnlyList<Scenarios.PackageFile>> ReadFilesAsync(Assessments.Runner.Results.Side side, string folder, CancellationToken cancellationToken) => throw new NotSupportedException();
        public Task<string?> ReadFileAsync(Assessments.Runner.Results.Side side, string path, CancellationToken cancellationToken) => throw new NotSupportedException();
        public Task<CommandResult> RunAsync(Assessments.Runner.Results.Side side, CommandSpec command, CancellationToken cancellationToken) => throw new NotSupportedException();
        public Task<IBackgroundProcess> StartAsync(Assessments.Runner.Results.Side side, CommandSpec command, CancellationToken cancellationToken) => throw new NotSupportedException();
        public Task<bool> WaitForHttpAsync(string url, TimeSpan timeout, IBackgroundProcess watched, CancellationToken cancellationToken) => throw new NotSupportedException();
        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
