using System.Diagnostics;

namespace Assessments.EndToEnd.Tests.Infrastructure;

/// <summary>The real git client, as a candidate runs it, without a prompt: a refused credential fails at once.</summary>
public static class GitCommand
{
    /// <summary>Runs git in <paramref name="directory"/>; its exit code and output (stdout, then stderr).</summary>
    public static (int ExitCode, string Output) Run(string directory, params string[] args)
    {
        var info = new ProcessStartInfo("git") { WorkingDirectory = directory, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        info.Environment["GIT_TERMINAL_PROMPT"] = "0";
        using var process = Process.Start(info)!;
        var error = process.StandardError.ReadToEndAsync();
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, output + error.Result);
    }

    /// <summary>Runs git and fails the test unless it exits 0; returns its output.</summary>
    public static string Succeed(string directory, params string[] args)
    {
        var (exitCode, output) = Run(directory, args);
        Assert.True(exitCode == 0, $"git {string.Join(' ', args)}: {output}");
        return output;
    }
}
