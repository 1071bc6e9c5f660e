using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Assessments.EndToEnd.Tests;

/// <summary>The README's start command, as an operator runs it: detached, twice, then stopped.</summary>
public sealed partial class StartCommandTests
{
    [Fact]
    public async Task StartCommandBringsUpWebAndWorkerAndItsLoginSignsIn()
    {
        var ct = TestContext.Current.CancellationToken;
        var scratch = Environment.GetEnvironmentVariable("ASSESSMENTS_TEST_DIR") ?? "/var/tmp";
        var data = Path.Combine(scratch, $"start-{Guid.NewGuid():N}"[..20]);
        var port = Infrastructure.AssessProcess.FreePort();
        var env = new Dictionary<string, string>
        {
            ["ASSESSMENTS_DATA"] = data,
            ["ASSESSMENTS_PORT"] = port.ToString(),
            ["ASSESSMENTS_PG_PORT"] = Infrastructure.AssessProcess.FreePort().ToString(),
        };

        try
        {
            var first = await RunScriptAsync("scripts/start", env, ct);
            Assert.True(first.ExitCode == 0, first.Output);
            var url = RunningAt().Match(first.Output).Groups[1].Value;
            var email = SignInAs().Match(first.Output).Groups[1].Value;
            var password = PasswordLine().Match(first.Output).Groups[1].Value;
            Assert.Equal($"http://127.0.0.1:{port}", url);
            Assert.False(string.IsNullOrEmpty(password), first.Output);

            using var client = new HttpClient(new HttpClientHandler { CookieContainer = new CookieContainer(), AllowAutoRedirect = false })
            {
                BaseAddress = new Uri(url),
            };
            var form = await client.GetStringAsync("/account/login", ct);
            var token = Antiforgery().Match(form).Groups[1].Value;
            var signIn = await client.PostAsync("/account/login", new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["Email"] = email,
                ["Password"] = password,
                ["__RequestVerificationToken"] = token,
            }), ct);
            Assert.Equal(HttpStatusCode.Redirect, signIn.StatusCode);
            var home = await client.GetStringAsync("/", ct);
            Assert.Contains($"Signed in as <strong>{email}</strong>", home);
            Assert.Contains("Demo Hiring Team", home);

            // The same process runs the worker role: a probe enqueued over HTTP completes.
            var probe = await client.PostAsync("/ops/worker-probes?queue=grading", null, ct);
            Assert.Equal(HttpStatusCode.Accepted, probe.StatusCode);
            var location = probe.Headers.Location!.OriginalString;
            JsonElement view = default;
            for (var i = 0; i < 100; i++)
            {
                view = await client.GetFromJsonAsync<JsonElement>(location, ct);
                if (view.GetProperty("completedAt").ValueKind != JsonValueKind.Null)
                {
                    break;
                }

                await Task.Delay(200, ct);
            }

            Assert.NotEqual(JsonValueKind.Null, view.GetProperty("completedAt").ValueKind);
            Assert.True(view.GetProperty("dataProtectionShared").GetBoolean());

            // Safe to run twice: the running server is kept and the same login is printed.
            var second = await RunScriptAsync("scripts/start", env, ct);
            Assert.True(second.ExitCode == 0, second.Output);
            Assert.Contains("already running", second.Output);
            Assert.Equal(password, PasswordLine().Match(second.Output).Groups[1].Value);
        }
        finally
        {
            var stop = await RunScriptAsync("scripts/stop", env, CancellationToken.None);
            Assert.True(stop.ExitCode == 0, stop.Output);
            Directory.Delete(data, recursive: true);
        }

        using var after = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        await Assert.ThrowsAsync<HttpRequestException>(() => after.GetAsync($"http://127.0.0.1:{port}/healthz", ct));
    }

    private static async Task<(int ExitCode, string Output)> RunScriptAsync(string script, Dictionary<string, string> env, CancellationToken ct)
    {
        var startInfo = new ProcessStartInfo("bash")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = RepositoryRoot.Path,
        };
        startInfo.ArgumentList.Add(Path.Combine(RepositoryRoot.Path, script));
        foreach (var (key, value) in env)
        {
            startInfo.Environment[key] = value;
        }

        using var process = Process.Start(startInfo)!;
        var stdout = process.StandardOutput.ReadToEndAsync(ct);
        var stderr = process.StandardError.ReadToEndAsync(ct);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(TimeSpan.FromMinutes(5));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await stdout + await stderr);
    }

    [GeneratedRegex(@"Assessments is running at (\S+)")]
    private static partial Regex RunningAt();

    [GeneratedRegex(@"Sign in as:\s+(\S+)")]
    private static partial Regex SignInAs();

    [GeneratedRegex(@"Password:\s+(\S+)")]
    private static partial Regex PasswordLine();

    [GeneratedRegex("name=\"__RequestVerificationToken\" type=\"hidden\" value=\"([^\"]+)\"")]
    private static partial Regex Antiforgery();
}
