using Assessments.Runner.Sandbox;

namespace Assessments.Runner.Tests.Sandbox;

public sealed class BenchmarkCpuSetTests
{
    [Theory]
    [InlineData(null, 2, "1")]
    [InlineData("", 8, "7")]
    [InlineData("  ", 4, "3")]
    [InlineData(null, 1, null)]
    [InlineData("none", 8, null)]
    [InlineData("3", 4, "3")]
    [InlineData("2-3", 4, "2-3")]
    [InlineData(" 1,3 ", 4, "1,3")]
    public void ResolvesToTheCpusTheSidesArePinnedTo(string? setting, int hostCpus, string? expected) =>
        Assert.Equal(expected, BenchmarkCpuSet.Resolve(setting, hostCpus));

    [Theory]
    [InlineData("4", "names CPU 4, but the Docker host has CPUs 0-3")]
    [InlineData("1-7", "names CPU 7, but the Docker host has CPUs 0-3")]
    [InlineData("last", "is not a cpuset list")]
    [InlineData("1;2", "is not a cpuset list")]
    [InlineData("-1", "is not a cpuset list")]
    public void RefusesASettingTheHostCannotHonour(string setting, string message)
    {
        var error = Assert.Throws<ArgumentException>(() => BenchmarkCpuSet.Resolve(setting, 4));
        Assert.Contains($"Sandbox:Limits:BenchmarkCpus '{setting}' {message}", error.Message);
    }

    [Theory]
    [InlineData(1, "0")]
    [InlineData(2, "0-1")]
    [InlineData(16, "0-15")]
    public void AllIsEveryCpuOfTheHost(int hostCpus, string expected) =>
        Assert.Equal(expected, BenchmarkCpuSet.All(hostCpus));
}
