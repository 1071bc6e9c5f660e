using System.CommandLine;
using Assessments.Runner.Execution;
using Assessments.Runner.Hosting;
using Assessments.Runner.Verification;
using Assessments.Scenarios;
using Assessments.Web.CommandLine;
using Assessments.Web.Features.Sandbox;

namespace Assessments.Web.Features.Scenarios;

/// <summary><c>assess scenario list|show|validate|import</c>: the library on disk and in the database.</summary>
public static class ScenarioCommands
{
    public const int Invalid = 1;

    public static Command Scenario()
    {
        return new Command("scenario", "Work with scenario packages: list, show, validate, import.")
        {
            List(),
            Show(),
            Validate(),
            Import(),
            Verify(),
            New(),
        };
    }

    private static Command New()
    {
        var id = new Argument<string>("id") { Description = "The new scenario's id: lower-case letters, digits and dashes; also its folder name." };
        var dir = LibraryOption();
        var command = new Command("new", "Scaffold a package that validates and verifies as it is (a small service, hidden tests, a fix and a shallow variant), to change step by step.") { id, dir };
        command.SetAction((parse, cancellationToken) => CommandRunner.RunAsync(async () =>
        {
            var scenarioId = parse.GetRequiredValue(id);
            var target = Path.Combine(ResolveLibrary(parse.GetValue(dir), LibraryOptions()), scenarioId);
            try
            {
                await ScenarioScaffold.WriteAsync(scenarioId, target, cancellationToken);
            }
            catch (Exception e) when (e is ArgumentException or IOException)
            {
                throw new CommandException(e.Message);
            }

            var result = ScenarioPackage.Load(target, DisplayPath(target));
            PrintErrors(result.Errors);
            Console.WriteLine($"Created {DisplayPath(target)}. Next: edit scenario.yaml, then ./assess scenario validate {scenarioId} and ./assess scenario verify {scenarioId} --local");
            return result.IsValid ? 0 : Invalid;
        }));
        return command;
    }

    private static Command Verify()
    {
        var id = new Argument<string>("id") { Description = "The scenario's id (its folder name) or a path to a package folder." };
        var dir = LibraryOption();
        var local = new Option<bool>("--local") { Description = "Run on this machine's processes instead of the Docker sandbox (trusted code only: authors and tests; faster to iterate)." };
        var reports = new Option<DirectoryInfo?>("--reports") { Description = "Write each grading's report (results.schema.json) into this folder." };
        var variantsAtOnce = new Option<int>("--variants-at-once")
        {
            Description = "Grade up to this many variants at the same time, after the template and the solution (which are graded alone). Default 1.",
            DefaultValueFactory = _ => 1,
        };
        variantsAtOnce.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<int>() < 1)
            {
                result.AddError("--variants-at-once must be at least 1.");
            }
        });
        var command = new Command("verify", "Check a package does what its manifest says: every hidden test fails on the template with its declared message, all pass on template + solution, the primary metric improves at least 5x, variants get their declared outcome. Prints the before/after table; exit code 1 when not verified.")
        {
            id, dir, local, reports, variantsAtOnce,
        };
        command.SetAction((parse, cancellationToken) => CommandRunner.RunAsync(async () =>
        {
            var onThisMachine = parse.GetValue(local);
            using var host = CommandHost.StartHost(builder =>
            {
                builder.AddScenarioLibrary();
                if (onThisMachine)
                {
                    builder.AddLocalGrading();
                }
                else
                {
                    builder.AddSandbox();
                }
            });
            var (display, result) = LoadOne(parse.GetRequiredValue(id), parse.GetValue(dir), host.Services.GetRequiredService<IOptions<ScenarioLibraryOptions>>().Value);
            if (result.Package is not { } package)
            {
                PrintErrors(result.Errors);
                return Invalid;
            }

            IGradingHostFactory hosts;
            if (onThisMachine)
            {
                hosts = host.Services.GetRequiredService<LocalHostFactory>();
            }
            else
            {
                try
                {
                    hosts = await host.Services.GetRequiredService<SandboxRuntime>().HostsAsync(cancellationToken);
                }
                catch (SandboxUnavailableException e)
                {
                    throw new CommandException(e.Message);
                }
            }

            var verifier = new ScenarioVerifier(host.Services.GetRequiredService<GradingEngine>(), hosts, parse.GetValue(variantsAtOnce));
            Console.WriteLine($"Verifying {display} ({package.ContentHash[..12]}) {(onThisMachine ? "on the local host" : "in the Docker sandbox")}: template, solution and {package.Manifest.Variants.Count} variant(s) ...");
            var verification = await verifier.VerifyAsync(package, cancellationToken);

            if (parse.GetValue(reports) is { } folder)
            {
                folder.Create();
                await File.WriteAllTextAsync(Path.Combine(folder.FullName, "template.json"), verification.Template.ToJson(), cancellationToken);
                await File.WriteAllTextAsync(Path.Combine(folder.FullName, "solution.json"), verification.Solution.ToJson(), cancellationToken);
                foreach (var (name, report) in verification.Variants)
                {
                    await File.WriteAllTextAsync(Path.Combine(folder.FullName, $"variant-{name}.json"), report.ToJson(), cancellationToken);
                }
            }

            Console.WriteLine();
            Console.WriteLine("Hidden tests on the template");
            foreach (var test in verification.Template.Tests.Where(t => t.Visibility == Assessments.Runner.Results.TestVisibility.Hidden))
            {
                Console.WriteLine($"  {test.Status.ToString().ToLowerInvariant(),-7} {test.Name}: {test.Message}");
            }

            Console.WriteLine();
            Console.Write(verification.MetricsTable());
            Console.WriteLine();
            Console.Write(verification.VariantsTable());
            Console.WriteLine();
            Console.Write(verification.SuggestionsTable());

            if (verification.Verified)
            {
                Console.WriteLine($"{display}: verified.");
                return 0;
            }

            foreach (var problem in verification.Problems)
            {
                Console.WriteLine($"{display}: {problem}");
            }

            return Invalid;
        }));
        return command;
    }

    private static Option<DirectoryInfo?> LibraryOption() => new("--dir")
    {
        Description = "The scenario library folder (default: Scenarios__LibraryPath; ./assess sets it to the checkout's scenarios/).",
    };

    private static Command List()
    {
        var dir = LibraryOption();
        var command = new Command("list", "List the packages in the library with their version, content hash and validity.") { dir };
        command.SetAction(parse => CommandRunner.Run(() =>
        {
            var library = ResolveLibrary(parse.GetValue(dir), LibraryOptions());
            var rows = LoadLibrary(library).ToList();
            if (rows.Count == 0)
            {
                Console.WriteLine($"No scenario packages in {library}.");
                return 0;
            }

            Console.WriteLine($"{"ID",-22} {"VERSION",-8} {"LEVEL",-7} {"HASH",-12}  TITLE");
            foreach (var (folder, result) in rows)
            {
                if (result.Package is { } p)
                {
                    Console.WriteLine($"{p.Manifest.Id,-22} {p.Manifest.Version,-8} {p.Manifest.Level.ToString().ToLowerInvariant(),-7} {p.ContentHash[..12]}  {p.Manifest.Title}");
                }
                else
                {
                    Console.WriteLine($"{folder,-22} {"-",-8} {"-",-7} {"invalid",-12}  {result.Errors.Count} error(s): assess scenario validate {folder}");
                }
            }

            return rows.All(r => r.Result.IsValid) ? 0 : Invalid;
        }));
        return command;
    }

    private static Command Show()
    {
        var id = new Argument<string>("id") { Description = "The scenario's id (its folder name) or a path to a package folder." };
        var dir = LibraryOption();
        var command = new Command("show", "Show a package: brief, rubric, metrics, service contract, hidden tests and hash.") { id, dir };
        command.SetAction(parse => CommandRunner.Run(() =>
        {
            var (display, result) = LoadOne(parse.GetRequiredValue(id), parse.GetValue(dir), LibraryOptions());
            if (result.Package is not { } package)
            {
                PrintErrors(result.Errors);
                return Invalid;
            }

            var m = package.Manifest;
            Console.WriteLine($"{m.Title}  ({m.Id} {m.Version}, {m.Level.ToString().ToLowerInvariant()}, about {m.SuggestedTime:h\\:mm})");
            Console.WriteLine($"  {m.Summary}");
            Console.WriteLine($"  content hash {package.ContentHash}; {package.Files.Count} files from {display}");
            Console.WriteLine($"  skills: {string.Join(", ", m.Skills)}");
            Console.WriteLine();
            Console.WriteLine("Rubric");
            foreach (var c in m.Rubric)
            {
                Console.WriteLine($"  {c.Weight,3}  {c.Title} ({c.Id})");
            }

            Console.WriteLine("Metrics");
            foreach (var metric in m.Metrics)
            {
                Console.WriteLine($"  {metric.Key} [{metric.Unit}, {metric.Direction.ToString().ToLowerInvariant()} is better]{(metric.Primary ? " primary" : "")}: {metric.Title}");
            }

            Console.WriteLine($"Service  {m.Service.Project}, health {m.Service.Health}");
            foreach (var (name, value) in m.Service.Environment)
            {
                Console.WriteLine($"  {name}={value}");
            }

            Console.WriteLine("Hidden tests");
            foreach (var phase in m.Phases)
            {
                Console.WriteLine($"  phase {phase.Name}{(phase.RestartService ? " (service restarted first)" : "")}");
                foreach (var test in m.Hidden.Tests.Where(t => t.Phase == phase.Name))
                {
                    Console.WriteLine(test.IsGuard
                        ? $"    {test.Name}: a guard, passes on the template"
                        : $"    {test.Name}: on the template fails with \"{test.FailsOnTemplateWith}\"");
                }
            }

            Console.WriteLine($"Packages  {string.Join(", ", m.Packages.Select(p => $"{p.Id} {p.Version}"))}");
            return 0;
        }));
        return command;
    }

    private static Command Validate()
    {
        var paths = new Argument<string[]>("ids") { Description = "Scenario ids or package folders (default: every package in the library).", Arity = ArgumentArity.ZeroOrMore };
        var dir = LibraryOption();
        var command = new Command("validate", "Check packages and print every error with its file, line and field. Exit code 1 when any is invalid.") { paths, dir };
        command.SetAction(parse => CommandRunner.Run(() =>
        {
            var requested = parse.GetValue(paths) ?? [];
            var options = LibraryOptions();
            var results = requested.Length == 0
                ? LoadLibrary(ResolveLibrary(parse.GetValue(dir), options)).ToList()
                : requested.Select(p => LoadOne(p, parse.GetValue(dir), options)).ToList();
            if (results.Count == 0)
            {
                throw new CommandException("no scenario packages to validate");
            }

            foreach (var (display, result) in results)
            {
                if (result.Package is { } package)
                {
                    Console.WriteLine($"{display}: valid ({package.Manifest.Id} {package.Manifest.Version}, {package.ContentHash[..12]})");
                }
                else
                {
                    PrintErrors(result.Errors);
                }
            }

            return results.All(r => r.Result.IsValid) ? 0 : Invalid;
        }));
        return command;
    }

    private static Command Import()
    {
        var dir = LibraryOption();
        var command = new Command("import", "Record every valid package of the library as a global scenario version (same hash, same version). Needs ConnectionStrings__Assessments.") { dir };
        command.SetAction((parse, cancellationToken) => CommandRunner.RunAsync(async () =>
        {
            var library = ResolveLibrary(parse.GetValue(dir), LibraryOptions());
            return await ImportLibraryAsync(library, cancellationToken);
        }));
        return command;
    }

    /// <summary>Imports every package of <paramref name="library"/>; invalid ones are reported and skipped.</summary>
    public static async Task<int> ImportLibraryAsync(string library, CancellationToken cancellationToken)
    {
        using var host = await CommandHost.StartDatabaseHostAsync(b => b.Services.AddScoped<ScenarioImporter>(), cancellationToken);
        var exit = 0;
        foreach (var (display, result) in LoadLibrary(library))
        {
            if (result.Package is not { } package)
            {
                PrintErrors(result.Errors);
                exit = Invalid;
                continue;
            }

            await using var scope = host.Services.CreateAsyncScope();
            var imported = await scope.ServiceProvider.GetRequiredService<ScenarioImporter>().ImportAsync(package, cancellationToken);
            Console.WriteLine(imported.NewVersion
                ? $"{display}: imported version {package.Manifest.Version} ({package.ContentHash[..12]})"
                : $"{display}: already imported ({package.ContentHash[..12]})");
        }

        return exit;
    }

    /// <summary>The <c>Scenarios</c> section as configured for this command (environment variables,
    /// appsettings.json beside the binary), read through the same options class as a server's.</summary>
    public static ScenarioLibraryOptions LibraryOptions()
    {
        using var host = CommandHost.StartHost(builder => builder.AddScenarioLibrary());
        return host.Services.GetRequiredService<IOptions<ScenarioLibraryOptions>>().Value;
    }

    /// <summary>The library folder: <c>--dir</c>, else <c>Scenarios:LibraryPath</c>.</summary>
    public static string ResolveLibrary(DirectoryInfo? option, ScenarioLibraryOptions library)
    {
        var path = option?.FullName ?? library.LibraryPath;
        if (string.IsNullOrEmpty(path))
        {
            throw new StartupException("no scenario library: pass --dir or set Scenarios__LibraryPath to the folder that holds the scenario packages");
        }

        return Directory.Exists(path) ? path : throw new CommandException($"scenario library {path} does not exist");
    }

    private static IEnumerable<(string Display, ScenarioLoadResult Result)> LoadLibrary(string library) =>
        Directory.EnumerateDirectories(library)
            .Where(d => File.Exists(Path.Combine(d, ScenarioPackage.ManifestFileName)))
            .Order(StringComparer.Ordinal)
            .Select(d => (Display: Path.GetFileName(d), Path: d))
            .Select(d => (d.Display, ScenarioPackage.Load(d.Path, DisplayPath(d.Path))));

    internal static (string Display, ScenarioLoadResult Result) LoadOne(string idOrPath, DirectoryInfo? dir, ScenarioLibraryOptions library)
    {
        var path = Directory.Exists(idOrPath) && (idOrPath.Contains('/') || dir is null && library.LibraryPath is null)
            ? idOrPath
            : Path.Combine(ResolveLibrary(dir, library), idOrPath);
        return (DisplayPath(path), ScenarioPackage.Load(path, DisplayPath(path)));
    }

    /// <summary>Paths relative to the working folder when below it: what an author can click.</summary>
    private static string DisplayPath(string path)
    {
        var relative = Path.GetRelativePath(Environment.CurrentDirectory, path);
        return relative.StartsWith("..", StringComparison.Ordinal) ? Path.GetFullPath(path) : relative;
    }

    internal static void PrintErrors(IReadOnlyList<ScenarioError> errors)
    {
        foreach (var error in errors)
        {
            Console.WriteLine(error);
        }
    }
}
