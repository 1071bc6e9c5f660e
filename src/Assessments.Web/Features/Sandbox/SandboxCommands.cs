using System.CommandLine;
using System.Text.Json;
using Assessments.Runner.Sandbox;
using Assessments.Web.CommandLine;
using Docker.DotNet;

namespace Assessments.Web.Features.Sandbox;

/// <summary><c>assess sandbox build-image</c>: the image gradings run in, built on this machine.</summary>
public static class SandboxCommands
{
    public static Command Sandbox()
    {
        return new Command("sandbox", "The Docker sandbox gradings run in.")
        {
            BuildImage(),
            Reap(),
        };
    }

    private static Command BuildImage()
    {
        var rebuild = new Option<bool>("--rebuild") { Description = "Build the base and the image again even when the tag exists (e.g. to take Debian's security updates)." };
        var json = new Option<bool>("--json") { Description = "Print {\"tag\",\"id\",\"inputsHash\"} as JSON on stdout; progress goes to stderr." };
        var command = new Command("build-image", "Build the sandbox image for this machine's inputs (the Dockerfile, the debootstrap run, the host's .NET SDK) unless it exists, as assessments-sandbox:<hash>. The first build needs root, debootstrap and the Debian mirror, no registry. Needs Sandbox__DockerEndpoint, not the database.")
        {
            rebuild, json,
        };
        command.SetAction((parse, cancellationToken) => CommandRunner.RunAsync(async () =>
        {
            var asJson = parse.GetValue(json);
            var progress = asJson ? Console.Error : Console.Out;
            using var host = CommandHost.StartHost(builder => builder.AddSandboxOptions());
            var sandbox = host.Services.GetRequiredService<IOptions<SandboxOptions>>().Value;
            using var docker = await ConnectAsync(sandbox, cancellationToken);

            SandboxImage image;
            try
            {
                image = await new SandboxImageBuilder(docker, new SandboxImageOptions(), progress.WriteLine)
                    .EnsureAsync(parse.GetValue(rebuild), cancellationToken);
            }
            catch (SandboxImageException e)
            {
                throw new CommandException(e.Message);
            }

            Console.WriteLine(asJson
                ? JsonSerializer.Serialize(new { tag = image.Tag, id = image.Id, inputsHash = image.InputsHash })
                : $"Sandbox image {image.Tag} ({image.Id})");
            return 0;
        }));
        return command;
    }

    private static Command Reap()
    {
        var all = new Option<bool>("--all") { Description = "Remove every sandbox container and volume, offline feeds included, whatever their expiry. Only with no worker running." };
        var command = new Command("reap", "Remove sandbox containers whose gradings' limits have all passed (what a crashed worker left), the grader's last. Workers do this every ten minutes.") { all };
        command.SetAction((parse, cancellationToken) => CommandRunner.RunAsync(async () =>
        {
            using var host = CommandHost.StartHost(builder => builder.AddSandboxOptions());
            var sandbox = host.Services.GetRequiredService<IOptions<SandboxOptions>>().Value;
            using var docker = await ConnectAsync(sandbox, cancellationToken);
            var reaped = await new SandboxReaper(docker, TimeProvider.System).ReapAsync(parse.GetValue(all), cancellationToken);
            foreach (var name in reaped.Containers.Concat(reaped.Volumes))
            {
                Console.WriteLine($"removed {name}");
            }

            Console.WriteLine($"{reaped.Containers.Count} container(s), {reaped.Volumes.Count} volume(s) removed.");
            return 0;
        }));
        return command;
    }

    /// <summary>A client for the configured engine, once it answered a ping.</summary>
    private static async Task<DockerClient> ConnectAsync(SandboxOptions sandbox, CancellationToken cancellationToken)
    {
        var client = new DockerClientBuilder().WithEndpoint(new Uri(sandbox.DockerEndpoint)).Build();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(sandbox.DockerPingTimeout);
        try
        {
            await client.System.PingAsync(timeout.Token);
            return client;
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            client.Dispose();
            throw new StartupException(
                $"the Docker engine at {sandbox.DockerEndpoint} (Sandbox:DockerEndpoint) did not answer: {e.GetBaseException().Message}. Start it (scripts/start does) or set Sandbox__DockerEndpoint.", e);
        }
    }
}
