using System.Diagnostics;
using YamlDotNet.Core;
using YamlDotNet.Serialization;

namespace Assessments.EndToEnd.Tests;

/// <summary>
/// The production-shaped deployment in docker-compose.yml: the real docker-compose accepts it,
/// and it keeps the shape the design relies on (workers alone hold the Docker socket and scale
/// out, web and workers wait for the migration, every app process finds the database).
/// </summary>
public sealed class ComposeFileTests
{
    private const string DockerCompose = "/usr/bin/docker-compose";
    private const string DockerSocket = "/var/run/docker.sock";
    private static readonly string[] AppServices = ["migrate", "web", "worker"];

    /// <summary>The settings the file refuses to do without (its <c>${VAR:?message}</c> forms).</summary>
    private static readonly Dictionary<string, string> RequiredSettings = new()
    {
        ["ASSESSMENTS_DB_PASSWORD"] = "compose-test-password",
        ["ASSESSMENTS_DOCKER_GID"] = "999",
    };

    [Fact]
    public async Task ComposeFileIsAcceptedByDockerCompose()
    {
        var result = await RunDockerComposeConfigAsync(RequiredSettings);

        Assert.True(result.ExitCode == 0,
            $"docker-compose config --quiet exited {result.ExitCode}:\n{result.StandardError}{result.StandardOutput}");
    }

    [Theory]
    [InlineData("ASSESSMENTS_DB_PASSWORD")]
    [InlineData("ASSESSMENTS_DOCKER_GID")]
    public async Task ComposeFileRefusesToStartWithoutARequiredSettingAndNamesIt(string setting)
    {
        var settings = RequiredSettings.Where(s => s.Key != setting).ToDictionary();

        var result = await RunDockerComposeConfigAsync(settings);

        Assert.True(result.ExitCode != 0,
            $"docker-compose config accepted the file without {setting}; it should stop with a message naming it.");
        Assert.Contains(setting, result.StandardError, StringComparison.Ordinal);
    }

    [Fact]
    public void DeploymentHasPostgresAMigrationWebAndWorkers()
    {
        var services = Services();

        Assert.Equal(["migrate", "postgres", "web", "worker"], services.Keys.Order(StringComparer.Ordinal));
        Assert.StartsWith("postgres:15", Scalar(services["postgres"], "image"), StringComparison.Ordinal);
    }

    [Fact]
    public void EachAppServiceRunsItsRoleOfTheSameImage()
    {
        var services = Services();

        Assert.Equal(["migrate"], Strings(services["migrate"], "command"));
        Assert.Equal(["serve", "--role", "web"], Strings(services["web"], "command"));
        Assert.Equal(["worker"], Strings(services["worker"], "command"));
        var images = AppServices.Select(s => Scalar(services[s], "image")).Distinct().ToList();
        Assert.True(images is [{ Length: > 0 }],
            $"migrate, web and worker should run one image; they name {string.Join(", ", images.Select(i => $"'{i}'"))}.");
    }

    [Fact]
    public void OnlyWorkersGetTheDockerSocket()
    {
        var services = Services();

        Assert.Contains($"{DockerSocket}:{DockerSocket}", Mounts(services["worker"]));
        foreach (var name in services.Keys.Where(n => n != "worker"))
        {
            Assert.DoesNotContain(Mounts(services[name]), m => m.Contains("docker.sock", StringComparison.Ordinal));
        }
    }

    [Fact]
    public void TheBuiltInRepositoriesLiveInAVolumeTheWebWritesAndTheWorkersRead()
    {
        var services = Services();

        // The image's default Repositories:Root; without the volume a push is lost with the container.
        Assert.Contains("repositories:/var/lib/assessments/repositories", Mounts(services["web"]));
        Assert.Contains("repositories:/var/lib/assessments/repositories", Mounts(services["worker"]));
    }

    [Fact]
    public void WorkersScaleOutSoTheyPublishNoPortAndHaveNoFixedName()
    {
        var worker = Services()["worker"];

        Assert.False(worker.ContainsKey("ports"), "worker publishes a port: a second replica could not start.");
        Assert.False(worker.ContainsKey("container_name"), "worker has a container_name: --scale worker=N could not start a second one.");
        Assert.Equal("http://+:8081", EnvironmentOf(worker).GetValueOrDefault("ASPNETCORE_URLS"));
    }

    [Fact]
    public void WebIsPublishedOnPort8080AndKnowsItsPublicUrl()
    {
        var web = Services()["web"];

        Assert.Contains("8080:8080", Strings(web, "ports"));
        var environment = EnvironmentOf(web);
        Assert.Equal("http://+:8080", environment.GetValueOrDefault("ASPNETCORE_URLS"));
        Assert.Equal("${ASSESSMENTS_PUBLIC_URL:-http://localhost:8080}", environment.GetValueOrDefault("Web__PublicBaseUrl"));
    }

    [Fact]
    public void WebAndWorkersStartOnlyAfterTheMigrationSucceeded()
    {
        var services = Services();

        Assert.Equal("service_healthy", DependencyCondition(services["migrate"], "postgres"));
        Assert.Equal("service_completed_successfully", DependencyCondition(services["web"], "migrate"));
        Assert.Equal("service_completed_successfully", DependencyCondition(services["worker"], "migrate"));
    }

    [Fact]
    public void EveryAppServiceGetsTheDatabaseAndLogsJson()
    {
        var services = Services();

        foreach (var name in AppServices)
        {
            var environment = EnvironmentOf(services[name]);
            var connectionString = environment.GetValueOrDefault("ConnectionStrings__Assessments");
            Assert.True(connectionString?.Contains("Host=postgres;", StringComparison.Ordinal) == true,
                $"{name}: ConnectionStrings__Assessments is '{connectionString}', not a connection string to the postgres service.");
            Assert.Equal("json", environment.GetValueOrDefault("Logging__Console__FormatterName"));
        }
    }

    // ---- docker-compose ---------------------------------------------------------------------

    private sealed record ProcessResult(int ExitCode, string StandardOutput, string StandardError);

    private static async Task<ProcessResult> RunDockerComposeConfigAsync(IReadOnlyDictionary<string, string> settings)
    {
        Assert.True(File.Exists(DockerCompose),
            $"{DockerCompose} is missing: these tests check the file with the real tool (apt-get install -y docker-compose).");

        var start = new ProcessStartInfo(DockerCompose)
        {
            WorkingDirectory = RepositoryRoot.Path,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { "-f", "docker-compose.yml", "config", "--quiet" })
        {
            start.ArgumentList.Add(argument);
        }

        // Only the settings the test gives: nothing from the caller's shell (COMPOSE_FILE,
        // COMPOSE_PROJECT_NAME, a real password...) may change what the tool reads.
        foreach (var key in start.Environment.Keys.ToList())
        {
            if (key.StartsWith("COMPOSE_", StringComparison.Ordinal) || key.StartsWith("ASSESSMENTS_", StringComparison.Ordinal)
                || key.StartsWith("DOCKER_", StringComparison.Ordinal))
            {
                start.Environment.Remove(key);
            }
        }

        foreach (var (key, value) in settings)
        {
            start.Environment[key] = value;
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {DockerCompose}");
        var cancellationToken = TestContext.Current.CancellationToken;
        var standardOutput = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var standardError = process.StandardError.ReadToEndAsync(cancellationToken);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(60));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }

        return new ProcessResult(process.ExitCode, await standardOutput, await standardError);
    }

    // ---- the file as YAML -------------------------------------------------------------------

    private static Dictionary<string, Dictionary<object, object>> Services()
    {
        var path = Path.Combine(RepositoryRoot.Path, "docker-compose.yml");
        using var reader = new StringReader(File.ReadAllText(path));
        // MergingParser applies `<<: *anchor` as docker-compose does.
        var document = new DeserializerBuilder().Build()
            .Deserialize<Dictionary<object, object>>(new MergingParser(new Parser(reader)));

        Assert.True(document.TryGetValue("services", out var services) && services is Dictionary<object, object>,
            "docker-compose.yml has no services mapping.");
        return ((Dictionary<object, object>)services).ToDictionary(
            s => (string)s.Key,
            s => s.Value as Dictionary<object, object> ?? throw new InvalidDataException($"service {s.Key} is not a mapping"));
    }

    private static string? Scalar(Dictionary<object, object> service, string key) =>
        service.GetValueOrDefault(key) as string;

    /// <summary>A key holding a list (or one string, as `command: worker` may be written).</summary>
    private static List<string> Strings(Dictionary<object, object> service, string key) =>
        service.GetValueOrDefault(key) switch
        {
            null => [],
            string one => one.Split(' ', StringSplitOptions.RemoveEmptyEntries).ToList(),
            List<object> many => many.Select(i => i as string ?? throw new InvalidDataException($"{key} holds a {i?.GetType().Name}")).ToList(),
            var other => throw new InvalidDataException($"{key} is a {other.GetType().Name}"),
        };

    /// <summary>Every mount as "source:target" (the short syntax without its mode, or the long one).</summary>
    private static List<string> Mounts(Dictionary<object, object> service) =>
        service.GetValueOrDefault("volumes") switch
        {
            null => [],
            List<object> volumes => volumes.Select(v => v switch
            {
                string text => string.Join(':', text.Split(':').Take(2)),
                Dictionary<object, object> mount => $"{mount.GetValueOrDefault("source")}:{mount.GetValueOrDefault("target")}",
                _ => throw new InvalidDataException($"volume entry {v}"),
            }).ToList(),
            var other => throw new InvalidDataException($"volumes is a {other.GetType().Name}"),
        };

    private static Dictionary<string, string?> EnvironmentOf(Dictionary<object, object> service) =>
        service.GetValueOrDefault("environment") switch
        {
            null => [],
            Dictionary<object, object> map => map.ToDictionary(e => (string)e.Key, e => e.Value as string),
            List<object> list => list.Cast<string>().Select(e => e.Split('=', 2))
                .ToDictionary(p => p[0], p => p.Length == 2 ? p[1] : null),
            var other => throw new InvalidDataException($"environment is a {other.GetType().Name}"),
        };

    /// <summary>The condition on which a service waits for another; "(none)" when it does not wait.</summary>
    private static string DependencyCondition(Dictionary<object, object> service, string dependency) =>
        service.GetValueOrDefault("depends_on") switch
        {
            Dictionary<object, object> map when map.GetValueOrDefault(dependency) is Dictionary<object, object> d =>
                d.GetValueOrDefault("condition") as string ?? "service_started",
            List<object> list when list.Contains(dependency) => "service_started",
            _ => "(none)",
        };
}
