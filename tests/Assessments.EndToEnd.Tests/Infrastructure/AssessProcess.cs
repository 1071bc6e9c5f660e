using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Assessments.EndToEnd.Tests.Infrastructure;

/// <summary>The published <c>assess</c> binary run as a separate OS process, with an environment
/// the test controls entirely (nothing inherited that names the product's settings).</summary>
public sealed class AssessProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _stdout = new();
    private readonly StringBuilder _stderr = new();

    private AssessProcess(Process process)
    {
        _process = process;
    }

    public int ProcessId => _process.Id;

    public string StandardOutput
    {
        get
        {
            lock (_stdout)
            {
                return _stdout.ToString();
            }
        }
    }

    public string StandardError
    {
        get
        {
            lock (_stderr)
            {
                return _stderr.ToString();
            }
        }
    }

    public bool HasExited => _process.HasExited;

    /// <summary>Kills the process with SIGKILL, as the kernel or an operator's <c>kill -9</c> does:
    /// nothing of it runs again, no shutdown code included.</summary>
    public void Kill()
    {
        _process.Kill();
        _process.WaitForExit();
    }

    public static AssessProcess Start(IReadOnlyDictionary<string, string> environment, params string[] args)
    {
        Assert.True(File.Exists(RepositoryRoot.AssessDll), $"{RepositoryRoot.AssessDll} is missing: run scripts/build-assess (scripts/test does).");
        var startInfo = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetTempPath(),
        };
        startInfo.ArgumentList.Add(RepositoryRoot.AssessDll);
        foreach (var arg in args)
        {
            startInfo.ArgumentList.Add(arg);
        }

        // Only what the test says: no connection string or URL leaks in from the test's own environment.
        foreach (var key in startInfo.Environment.Keys.ToList())
        {
            if (key.Contains("__", StringComparison.Ordinal) || key.StartsWith("ASPNETCORE_", StringComparison.Ordinal) || key.StartsWith("DOTNET_ENVIRONMENT", StringComparison.Ordinal))
            {
                startInfo.Environment.Remove(key);
            }
        }

        startInfo.Environment["Logging__Console__FormatterName"] = "simple";
        foreach (var (key, value) in environment)
        {
            startInfo.Environment[key] = value;
        }

        var process = new Process { StartInfo = startInfo };
        var result = new AssessProcess(process);
        process.OutputDataReceived += (_, e) => Append(result._stdout, e.Data);
        process.ErrorDataReceived += (_, e) => Append(result._stderr, e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return result;
    }

    /// <summary>Runs a command to completion and returns its exit code.</summary>
    public static async Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(
        IReadOnlyDictionary<string, string> environment, TimeSpan timeout, params string[] args)
    {
        await using var process = Start(environment, args);
        var exitCode = await process.WaitForExitAsync(timeout);
        return (exitCode, process.StandardOutput, process.StandardError);
    }

    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            Assert.Fail($"assess did not exit within {timeout}.\nstdout:\n{StandardOutput}\nstderr:\n{StandardError}");
        }

        // WaitForExitAsync returns before the redirected streams are drained; this waits for them.
        _process.WaitForExit();
        return _process.ExitCode;
    }

    /// <summary>Polls <paramref name="url"/> until it answers <paramref name="expected"/>; fails with the process's output otherwise.</summary>
    public async Task<string> WaitForStatusAsync(HttpClient client, string url, HttpStatusCode expected, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        var last = "no answer";
        while (DateTime.UtcNow < deadline)
        {
            Assert.False(_process.HasExited, $"assess exited with {(_process.HasExited ? _process.ExitCode : 0)}.\nstderr:\n{StandardError}\nstdout:\n{StandardOutput}");
            try
            {
                using var response = await client.GetAsync(url);
                var body = await response.Content.ReadAsStringAsync();
                if (response.StatusCode == expected)
                {
                    return body;
                }

                last = $"{(int)response.StatusCode} {body}";
            }
            catch (HttpRequestException e)
            {
                last = e.Message;
            }

            await Task.Delay(250);
        }

        Assert.Fail($"{url} did not answer {(int)expected} within {timeout}; last: {last}\nstdout:\n{StandardOutput}\nstderr:\n{StandardError}");
        return "";
    }

    /// <summary>Waits until the process has printed <paramref name="text"/> (on either stream): the
    /// console logger writes from a queue of its own, so a line logged while answering a request
    /// may appear after the answer.</summary>
    public async Task WaitForOutputAsync(string text, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!(StandardOutput + StandardError).Contains(text, StringComparison.Ordinal))
        {
            Assert.True(DateTime.UtcNow < deadline, $"assess did not print \"{text}\" within {timeout}.\nstdout:\n{StandardOutput}\nstderr:\n{StandardError}");
            await Task.Delay(100);
        }
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static void Append(StringBuilder buffer, string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (buffer)
        {
            buffer.AppendLine(line);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }
}
