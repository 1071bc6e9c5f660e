using System.Diagnostics;

namespace Assessments.Runner.Sandbox;

/// <summary>Runs the host's tools the base image is made with (debootstrap, cp, rm, umount).</summary>
internal static class HostProcess
{
    private const int TailLines = 15;

    /// <summary>The program's path on PATH or in the system folders (root's PATH has them, a login
    /// shell's often not), or null when it is not installed.</summary>
    public static string? Find(string program) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Concat(["/usr/sbin", "/sbin", "/usr/bin", "/bin"])
            .Select(folder => Path.Combine(folder, program))
            .FirstOrDefault(File.Exists);

    /// <summary>Runs to the end with its output appended to <paramref name="log"/> (when given); a
    /// non-zero exit throws with the last lines it wrote. Cancelling kills it and its children.</summary>
    public static async Task RunAsync(string fileName, IReadOnlyList<string> arguments, string? log, CancellationToken cancellationToken)
    {
        var info = new ProcessStartInfo(fileName, arguments)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        var tail = new Queue<string>();
        await using var writer = log is null ? null : new StreamWriter(log, append: true) { AutoFlush = true };
        var gate = new Lock();
        void Record(string? line)
        {
            if (line is null)
            {
                return;
            }

            lock (gate)
            {
                writer?.WriteLine(line);
                tail.Enqueue(line);
                if (tail.Count > TailLines)
                {
                    tail.Dequeue();
                }
            }
        }

        using var process = new Process { StartInfo = info };
        process.OutputDataReceived += (_, e) => Record(e.Data);
        process.ErrorDataReceived += (_, e) => Record(e.Data);
        if (!process.Start())
        {
            throw new SandboxImageException($"{fileName} did not start");
        }

        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            await process.WaitForExitAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync(CancellationToken.None);
            throw;
        }

        if (process.ExitCode != 0)
        {
            string last;
            lock (gate)
            {
                last = string.Join(" | ", tail.Where(l => !string.IsNullOrWhiteSpace(l)).TakeLast(5));
            }

            var where = log is null ? "" : $" (full log: {log})";
            throw new SandboxImageException($"{Path.GetFileName(fileName)} exited with {process.ExitCode}{where}: {last}");
        }
    }

    /// <summary>Runs and ignores a failure: for clean-up steps that have a check after them.</summary>
    public static async Task TryRunAsync(string fileName, IReadOnlyList<string> arguments)
    {
        try
        {
            await RunAsync(fileName, arguments, log: null, CancellationToken.None);
        }
        catch (SandboxImageException)
        {
            // The caller checks the outcome.
        }
    }
}

/// <summary>Reports on the thread that reports: <see cref="Progress{T}"/> would post to the thread pool,
/// losing the order of build output and racing the check for a build error.</summary>
internal sealed class SynchronousProgress<T>(Action<T> handler) : IProgress<T>
{
    public void Report(T value) => handler(value);
}
