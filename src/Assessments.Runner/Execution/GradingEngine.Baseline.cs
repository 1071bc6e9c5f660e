using System.Globalization;
using System.Text;
using System.Text.Json;
using Assessments.Runner.Benchmarks;
using Assessments.Runner.Hosting;
using Assessments.Runner.Results;

namespace Assessments.Runner.Execution;

/// <summary>The baseline half of a grading: the template's service, built once per version and
/// image, runs in its own container beside the candidate's. The hidden tests count the same things
/// on it (or the counts come from an earlier grading of the version, for deterministic counts), and
/// the benchmark endpoints are timed on both, the sides taking turns round after round.
/// docs/decisions/010-baseline-and-benchmarks.md says why.</summary>
public sealed partial class GradingEngine
{
    private sealed partial class Run
    {
        private const string BaselineDatabase = "svc_baseline";
        private const string BaselineMetricsFile = "baseline-metrics.jsonl";
        private const string HarnessBinFolder = "out/harness";

        // Enough to refill what the other side's turn displaced, few enough to cost nothing.
        private const int TurnWarmup = 2;

        // How many phases, from the first, the baseline's counts need: through the last phase in
        // which the candidate's hidden tests wrote a sample (0 when none did: then every phase).
        // The same hidden tests write the same keys on the template, and a later phase's tests
        // count nothing, so running them on the baseline only cost time: three phases of
        // idempotent-webhook (a restart and two instances) on every compared grading.
        private int _countingPhases;
        private int _candidateSamples;

        // A fast service gets thousands of requests in these; a slow one its declared counts.
        // Measured on slow-endpoint (docs/PERFORMANCE.md): with counts alone the candidate's
        // median was 2.2–2.8 ms, its code not yet at the runtime's top tier; with these, 1.5–2.2 ms.
        private const double MinimumWarmupSeconds = 3;
        private const double MinimumTurnSeconds = 1;

        // A very slow one (a template at seconds a request) stops here, with at least three
        // requests: its requests barely vary, and its full counts could run the benchmarks past
        // the tests' limit (docs/decisions/010, "Capped turns"). No library template is that slow.
        private const double MaximumTurnSeconds = 1.5;

        /// <summary>The report's metrics with the baseline beside the candidate's. The baseline
        /// failing to build or start is the grading's problem, not the candidate's: the metrics then
        /// say why they have no baseline, and the verdict stands.</summary>
        private async Task<List<MetricOutcome>> CompareWithBaselineAsync(IReadOnlyDictionary<string, List<double>> candidateCounts, ServiceInstances candidateService, string? fakesUrl)
        {
            var cacheFile = options.GraderBuildCache is { } root
                ? Path.Combine(root, VersionCacheKey("baseline-counts.json"))
                : null;
            var cachedCounts = BaselineCounts.Read(cacheFile);
            var mustCount = _manifest.Metrics.Any(m => !m.Deterministic || !cachedCounts.ContainsKey(m.Key));
            var baseline = new BaselineMeasurement();
            if (mustCount || _manifest.Benchmarks is not null)
            {
                try
                {
                    await MeasureBaselineAsync(baseline, mustCount, candidateService, fakesUrl);
                }
                catch (GradingInfrastructureException e)
                {
                    baseline.Note = $"The baseline was not measured: {e.Message}";
                }
            }

            if (cacheFile is not null && baseline.Counts is { } counted)
            {
                // Only what is the same every run may stand in for a measurement later; timings never.
                var deterministic = _manifest.Metrics.Where(m => m.Deterministic && counted.ContainsKey(m.Key)).ToDictionary(m => m.Key, m => counted[m.Key]);
                if (deterministic.Count == _manifest.Metrics.Count(m => m.Deterministic))
                {
                    BaselineCounts.Write(cacheFile, deterministic);
                }
            }

            var metrics = _manifest.Metrics.Select(m =>
            {
                var candidate = candidateCounts.GetValueOrDefault(m.Key) ?? [];
                if (baseline.Counts?.GetValueOrDefault(m.Key) is { } measured)
                {
                    return MetricOutcomes.Counted(m, candidate, measured, BaselineSource.Measured, null);
                }

                return m.Deterministic && cachedCounts.TryGetValue(m.Key, out var cached)
                    ? MetricOutcomes.Counted(m, candidate, cached, BaselineSource.Cached, null)
                    : MetricOutcomes.Counted(m, candidate, [], BaselineSource.None, baseline.Note ?? "The hidden tests did not count it on the baseline.");
            }).ToList();
            metrics.AddRange(TimedMetrics(baseline));
            return metrics;
        }

        /// <summary>After the candidate's phase <paramref name="index"/>: whether its hidden tests
        /// added samples to the metrics file, which makes the baseline's counts run through it.</summary>
        private async Task NoteCountingPhaseAsync(int index)
        {
            var samples = MetricSamples.Parse(await host.ReadFileAsync(Side.Grader, CandidateMetricsFile, cancellationToken)).Values.Sum(v => v.Count);
            if (samples > _candidateSamples)
            {
                (_candidateSamples, _countingPhases) = (samples, index + 1);
            }
        }

        private async Task MeasureBaselineAsync(BaselineMeasurement baseline, bool mustCount, ServiceInstances candidateService, string? fakesUrl)
        {
            if (await CachedBuildAsync(Side.Baseline, "baseline-build", VersionCacheKey("baseline-service"), PublishFolder, PublishBaselineAsync) is { } failed)
            {
                baseline.Note = $"The baseline (the template's service) did not build: {failed}";
                return;
            }

            var database = _database!.Service(BaselineDatabase);
            var service = new ServiceInstances(this, Side.Baseline, "The baseline's service",
                port => Placeholders.Fill(_manifest.Service.Environment, port, database.ServiceConnectionString, fakesUrl));
            if (mustCount)
            {
                // The same phases as the candidate's, restarts and instances included; its test
                // outcomes are the template's known failures, only its counts are wanted.
                var phases = _countingPhases > 0 ? _manifest.Phases.Take(_countingPhases) : _manifest.Phases;
                foreach (var (phase, index) in phases.Select((p, i) => (p, i)))
                {
                    if (!await service.RunAsync(phase.Instances, restart: phase.RestartService, "baseline-start"))
                    {
                        baseline.Note = index == 0
                            ? "The baseline (the template's service) did not start."
                            : $"The baseline (the template's service) did not start for phase {phase.Name}.";
                        return;
                    }

                    var run = await HiddenTestsAsync($"baseline-counts:{phase.Name}", phase.Name, $"baseline-results-{phase.Name}.xml", service, database, fakesUrl, BaselineMetricsFile, anyExitIsOk: true);
                    if (run.TimedOut)
                    {
                        baseline.Note = $"The hidden tests of phase {phase.Name} ran past their limit on the baseline.";
                        return;
                    }
                }

                baseline.Counts = MetricSamples.Parse(await host.ReadFileAsync(Side.Grader, BaselineMetricsFile, cancellationToken));
            }

            if (_manifest.Benchmarks is null)
            {
                return;
            }

            // One instance of each is timed, started if the counts did not run it.
            if (!await service.RunAsync(service.Urls.Count > 0 ? service.Urls.Count : 1, restart: false, "baseline-start"))
            {
                baseline.Note = "The baseline (the template's service) did not start.";
                return;
            }

            if (candidateService.Primary is not { HasExited: false })
            {
                baseline.TimingNote = "Not timed: the candidate's service had exited.";
                return;
            }

            baseline.Latencies = await TimeEndpointsAsync(candidateService.Urls[0], service.Urls[0], baseline);
            // Why requests failed, if they did: whether each service was still up, and its last words.
            baseline.ServicesAfterTiming = $"{await candidateService.StateAsync()} {await service.StateAsync()}";
            if (await candidateService.StoppedByLimitReportAsync("benchmarks") is { } stopped)
            {
                // A flood or a memory kill while it was being timed is the candidate's verdict.
                _hiddenFailure ??= new Failure(stopped.Status, stopped.Verdict, "benchmarks", stopped.Message);
            }
        }

        /// <summary>The template, restored and published in the baseline's own container (the
        /// template's packages are the scenario's, so nothing is judged).</summary>
        private async Task<string?> PublishBaselineAsync()
        {
            await host.PutFilesAsync(Side.Baseline, ServiceFolder, request.Package.TemplateFiles, cancellationToken);
            var result = await Command(Side.Baseline, "baseline-build", "dotnet",
                ["publish", _manifest.Service.Project, "-c", "Release", "-o", $"../{PublishFolder}", "-nodeReuse:false", "-p:UseSharedCompilation=false", "--nologo", .. RestoreConfig("-p:RestoreConfigFile=")],
                ServiceFolder, _manifest.Limits.Build);
            return result.Succeeded ? null : BuildErrors(result.Output);
        }

        /// <summary>Times the benchmark endpoints on both services with the harness, on the
        /// grader's side of the shared loopback; null when the harness failed (the note says why).</summary>
        private async Task<IReadOnlyList<LatencyMeasurement>?> TimeEndpointsAsync(string candidateUrl, string baselineUrl, BaselineMeasurement baseline)
        {
            var benchmarks = _manifest.Benchmarks!;
            await CachedBuildAsync(Side.Grader, "build-harness", Path.Combine($"latency-harness-{LatencyHarnessProject.SourceHash[..16]}", host.BuildCacheScope), HarnessBinFolder, async () =>
            {
                await host.PutFilesAsync(Side.Grader, "harness", LatencyHarnessProject.Files, cancellationToken);
                var build = await Command(Side.Grader, "build-harness", "dotnet",
                    ["build", $"harness/{LatencyHarnessProject.ProjectFile}", "-c", "Release", "-o", HarnessBinFolder, "-nodeReuse:false", "-p:UseSharedCompilation=false", "--nologo", .. RestoreConfig("-p:RestoreConfigFile=")],
                    null, _manifest.Limits.Build);
                return build.Succeeded
                    ? null
                    : throw new GradingInfrastructureException("build-harness", $"The latency harness did not build: {BuildErrors(build.Output)}");
            });

            var plan = new LatencyPlan(
                [new LatencyTarget("baseline", baselineUrl), new LatencyTarget("candidate", candidateUrl)],
                [.. benchmarks.Endpoints.Select(e => new LatencyEndpoint(e.Name, e.Path))],
                benchmarks.Rounds, benchmarks.Warmup, benchmarks.Requests, RequestTimeoutSeconds: 30,
                TurnWarmup: TurnWarmup, MinimumWarmupSeconds: MinimumWarmupSeconds, MinimumTurnSeconds: MinimumTurnSeconds,
                MaximumTurnSeconds: MaximumTurnSeconds);
            await host.PutFilesAsync(Side.Grader, "bench", [new Scenarios.PackageFile("plan.json", false, JsonSerializer.SerializeToUtf8Bytes(plan, HarnessJson))], cancellationToken);
            var run = await Command(Side.Grader, "benchmarks", "dotnet",
                [$"{HarnessBinFolder}/{LatencyHarnessProject.Program}", host.PathOf(Side.Grader, "bench/plan.json"), host.PathOf(Side.Grader, "bench/result.json")],
                null, _manifest.Limits.Tests);
            var result = run.Succeeded ? await host.ReadFileAsync(Side.Grader, "bench/result.json", cancellationToken) : null;
            if (result is null)
            {
                baseline.TimingNote = run.TimedOut
                    ? $"Not timed: the benchmarks ran past the tests' limit of {_manifest.Limits.Tests}."
                    : $"Not timed: the latency harness failed (exit {run.ExitCode}): {GradingDatabase.Tail(run.Output)}";
                return null;
            }

            return JsonSerializer.Deserialize<List<LatencyMeasurement>>(result, HarnessJson);
        }

        /// <summary>Two metrics per benchmark endpoint, its median and 95th percentile latency:
        /// per round, the round's requests give one sample on each side. Where either side failed
        /// more than <see cref="TolerableFailedRequests"/> of its requests, the endpoint is not
        /// compared at all: the survivors of a service that stopped answering say nothing about it,
        /// and the benchmarks stage is marked failed with the cause.</summary>
        private IEnumerable<MetricOutcome> TimedMetrics(BaselineMeasurement baseline)
        {
            var minimumDifference = _manifest.Benchmarks?.MinimumDifferenceMs ?? Scenarios.Manifest.BenchmarksDefinition.DefaultMinimumDifferenceMs;
            foreach (var endpoint in _manifest.Benchmarks?.Endpoints ?? [])
            {
                var rounds = (baseline.Latencies ?? []).Where(m => m.Endpoint == endpoint.Name).ToList();
                var failures = FailedRequests(rounds);
                var unusable = rounds.GroupBy(m => m.Target).Any(side => TooManyFailed(side.Sum(m => m.Failed), side.Sum(m => m.Failed + m.LatenciesMs.Count)));
                if (unusable)
                {
                    MarkStageFailed("benchmarks");
                    rounds = [];
                }

                var note = baseline.Note ?? baseline.TimingNote ?? (unusable ? $"Not compared: too many requests failed. {failures} {baseline.ServicesAfterTiming}" : failures);
                // Rounds pair up by index; a round where either side answered nothing is left out of both.
                var paired = rounds.GroupBy(m => m.Round)
                    .Select(g => (Baseline: g.FirstOrDefault(m => m.Target == "baseline"), Candidate: g.FirstOrDefault(m => m.Target == "candidate")))
                    .Where(p => p.Baseline is { LatenciesMs.Count: > 0 } && p.Candidate is { LatenciesMs.Count: > 0 })
                    .ToList();
                yield return MetricOutcomes.Timed(endpoint.MedianKey, endpoint.MedianTitle,
                    [.. paired.Select(p => Round(Statistics.Median(p.Candidate!.LatenciesMs)!.Value))],
                    [.. paired.Select(p => Round(Statistics.Median(p.Baseline!.LatenciesMs)!.Value))], note, minimumDifference);
                yield return MetricOutcomes.Timed(endpoint.P95Key, endpoint.P95Title,
                    [.. paired.Select(p => Round(Statistics.Quantile(p.Candidate!.LatenciesMs, 0.95)!.Value))],
                    [.. paired.Select(p => Round(Statistics.Quantile(p.Baseline!.LatenciesMs, 0.95)!.Value))], note, minimumDifference);
            }
        }

        /// <summary>Requests a side may fail before its timings stop meaning anything: on the
        /// loopback a healthy service answers every one, so one in a hundred is already a fault.</summary>
        private const double TolerableFailedRequests = 0.01;

        internal static bool TooManyFailed(int failed, int total) => total > 0 && failed > Math.Max(1, total * TolerableFailedRequests);

        private void MarkStageFailed(string name)
        {
            var index = _stages.FindLastIndex(s => s.Name == name);
            if (index >= 0 && _stages[index].Status == StageStatus.Ok)
            {
                _stages[index] = _stages[index] with { Status = StageStatus.Failed };
            }
        }

        private static string? FailedRequests(IReadOnlyList<LatencyMeasurement> rounds)
        {
            var text = new StringBuilder();
            foreach (var side in rounds.Where(m => m.Failed > 0).GroupBy(m => m.Target))
            {
                var failed = side.Sum(m => m.Failed);
                var total = side.Sum(m => m.Failed + m.LatenciesMs.Count);
                text.Append(CultureInfo.InvariantCulture, $"{side.Key}: {failed} of {total} requests failed ({side.First(m => m.FirstError is not null).FirstError}). ");
            }

            return text.Length == 0 ? null : text.ToString().TrimEnd();
        }

        private static double Round(double milliseconds) => Math.Round(milliseconds, 3);

        private static readonly JsonSerializerOptions HarnessJson = new(JsonSerializerDefaults.Web);

        /// <summary>What the baseline side gave, and why not more.</summary>
        private sealed class BaselineMeasurement
        {
            public IReadOnlyDictionary<string, List<double>>? Counts { get; set; }

            public IReadOnlyList<LatencyMeasurement>? Latencies { get; set; }

            /// <summary>Why the baseline gave nothing at all.</summary>
            public string? Note { get; set; }

            /// <summary>Why the endpoints were not timed.</summary>
            public string? TimingNote { get; set; }

            /// <summary>Both services' state once the timing was over, for a note on failed requests.</summary>
            public string? ServicesAfterTiming { get; set; }
        }
    }
}
