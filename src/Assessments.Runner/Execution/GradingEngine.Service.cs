using System.Diagnostics;
using Assessments.Runner.Hosting;
using Assessments.Runner.Results;

namespace Assessments.Runner.Execution;

/// <summary>A side's service while the hidden tests check it: one instance, or several on the same
/// database where a phase asks for them (production runs replicas).</summary>
public sealed partial class GradingEngine
{
    private sealed partial class Run
    {
        /// <summary>The running instances of one side's service, each with its own port (kept across
        /// restarts, so the grader looks in the same place) and the contract's environment for it.</summary>
        private sealed class ServiceInstances(Run run, Side side, string what, Func<int, IReadOnlyDictionary<string, string>> environmentForPort)
        {
            private readonly List<int> _ports = [];
            private readonly List<IBackgroundProcess> _running = [];
            private IBackgroundProcess? _lastStarted;
            private bool _lastStartAnswered;

            /// <summary>The base URL of every running instance, the first instance first.</summary>
            public IReadOnlyList<string> Urls => _running.Select((_, i) => Url(i)).ToList();

            /// <summary>The first instance: the one the benchmarks time.</summary>
            public IBackgroundProcess? Primary => _running.FirstOrDefault();

            /// <summary>Brings the service to <paramref name="instances"/> running instances, all of
            /// them killed and started again first when <paramref name="restart"/> (a crash or a deploy:
            /// whatever was only in memory is gone). False when an instance did not answer its health
            /// check in time.</summary>
            public async Task<bool> RunAsync(int instances, bool restart, string stage)
            {
                if (restart)
                {
                    await KillAsync(0);
                }

                await KillAsync(instances);
                while (_running.Count < instances)
                {
                    var index = _running.Count;
                    if (_ports.Count == index)
                    {
                        _ports.Add(run.Host.AllocatePort());
                    }

                    var process = await StartAsync(index, stage);
                    if (process is null)
                    {
                        return false;
                    }

                    _running.Add(process);
                }

                return true;
            }

            /// <summary>The report when an instance did not start: a limit that stopped it, else an
            /// exit before it answered (failed), else no answer in time (timed out).</summary>
            public async Task<GradingReport> NotStartedReportAsync(string stage)
            {
                var health = run._manifest.Service.Health;
                var output = GradingDatabase.Tail(_lastStarted?.Output ?? "");
                if (_lastStarted is not null && await _lastStarted.StoppedByAsync(run.Token) is { } limit)
                {
                    return run.Report(ReportStatus.Fail, TestRunFailure.VerdictOf(limit), stage, $"{run.LimitSentence(limit, what)} {GradingDatabase.Tail(output, 5)}".TrimEnd());
                }

                return _lastStarted?.HasExited == true
                    ? run.Report(ReportStatus.Fail, Verdict.TestsFailed, stage, $"The service exited before it answered {health}: {output}")
                    : run.Report(ReportStatus.Fail, Verdict.TimedOut, stage, $"The service did not answer {health} within {run._manifest.Service.StartupTimeout}: {output}");
            }

            /// <summary>The report when a limit stopped a running instance; null when none did (a
            /// failure is then the service's own, whatever it printed before).</summary>
            public async Task<GradingReport?> StoppedByLimitReportAsync(string stage)
            {
                foreach (var instance in _running)
                {
                    if (await instance.StoppedByAsync(run.Token) is { } limit)
                    {
                        return run.Report(ReportStatus.Fail, TestRunFailure.VerdictOf(limit), stage, $"{run.LimitSentence(limit, what)} {GradingDatabase.Tail(instance.Output, 5)}".TrimEnd());
                    }
                }

                return null;
            }

            /// <summary>One sentence on the first instance: running, or how it ended and what it
            /// printed last (for notes on requests it did not answer).</summary>
            public async Task<string> StateAsync()
            {
                if (Primary is not { } primary)
                {
                    return $"{what} was not running.";
                }

                if (!primary.HasExited)
                {
                    return $"{what} was still running.";
                }

                var limit = await primary.StoppedByAsync(run.Token);
                return $"{what} had {(limit is { } hit ? $"been stopped by {run.Host.Describe(hit)}" : "exited")}: {GradingDatabase.Tail(primary.Output, 5)}";
            }

            private string Url(int index) => $"http://127.0.0.1:{_ports[index]}";

            private async Task<IBackgroundProcess?> StartAsync(int index, string stage)
            {
                run.Progress?.Report(new GradingProgress(stage, side, null));
                var started = Stopwatch.StartNew();
                var process = await run.Host.StartAsync(side, new CommandSpec("dotnet", [run.ServiceDll], null, environmentForPort(_ports[index]), Timeout.InfiniteTimeSpan), run.Token);
                run._processes.Add(process);
                // The probe runs where the sides meet: on the grader's view of the shared loopback.
                var healthy = await run.Host.WaitForHttpAsync(Url(index) + run._manifest.Service.Health, run._manifest.Service.StartupTimeout, process, run.Token);
                run.Record(new StageOutcome(stage, side, healthy ? StageStatus.Ok : StageStatus.Failed, started.Elapsed.TotalMilliseconds, process.HasExited ? 1 : null));
                (_lastStarted, _lastStartAnswered) = (process, healthy);
                return healthy ? process : null;
            }

            /// <summary>Kills the instances from <paramref name="keep"/> on, the last first (the
            /// first instance, alone on its side, takes what the side spawned with it).</summary>
            private async Task KillAsync(int keep)
            {
                while (_running.Count > keep)
                {
                    var last = _running[^1];
                    _running.RemoveAt(_running.Count - 1);
                    await last.KillAsync(run.Token);
                }
            }
        }

        /// <summary>The published service's entry assembly, relative to the side's workspace.</summary>
        private string ServiceDll => $"{PublishFolder}/{Path.GetFileNameWithoutExtension(_manifest.Service.Project)}.dll";
    }
}
