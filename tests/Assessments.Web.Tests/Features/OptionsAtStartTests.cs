using Assessments.Runner.Execution;
using Assessments.Runner.Hosting;
using Assessments.Web.Features.GitHub;
using Assessments.Web.Features.Mail;
using Assessments.Web.Features.Sandbox;
using Assessments.Web.Features.Scenarios;
using Assessments.Web.Common;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Assessments.Web.Tests.Features;

/// <summary>Every options class is checked at start with a message naming what to set, and a
/// setup that does not use a feature (GitHub, mail, links) does not fail on it (decision 017).</summary>
public sealed class OptionsAtStartTests
{
    [Fact]
    public void AnUnsetPublicUrlStopsOnlyAProcessThatNeedsItAtStart()
    {
        using var worker = Start(b => b.AddPublicUrl(requiredAtStart: false));
        var link = Assert.Throws<OptionsValidationException>(() => worker.Services.GetRequiredService<IOptions<PublicUrlOptions>>().Value.Link("/x"));
        Assert.Contains("set Web__PublicBaseUrl", string.Join("; ", link.Failures));

        var web = Assert.Throws<StartupException>(() => Start(b => b.AddPublicUrl(requiredAtStart: true)));
        Assert.Contains("set Web__PublicBaseUrl", web.Message);
    }

    [Fact]
    public void AMalformedPublicUrlStopsEveryProcessAtStart()
    {
        var error = Assert.Throws<StartupException>(() => Start(b => b.AddPublicUrl(requiredAtStart: false), ("Web:PublicBaseUrl", "assess.example.com")));
        Assert.Contains("is not an absolute http(s) address: set Web__PublicBaseUrl", error.Message);
    }

    [Fact]
    public void GitHubWithoutATokenStartsAndABadSettingNamesItsKey()
    {
        using (var unconfigured = Start(b => b.AddGitHub()))
        {
            Assert.False(unconfigured.Services.GetRequiredService<IOptions<GitHubOptions>>().Value.IsConfigured);
        }

        var retries = Assert.Throws<StartupException>(() => Start(b => b.AddGitHub(), ("GitHub:MaxRetries", "11")));
        Assert.Contains("set GitHub__MaxRetries", retries.Message);

        var delays = Assert.Throws<StartupException>(() => Start(b => b.AddGitHub(), ("GitHub:RetryDelay", "00:05:00")));
        Assert.Contains("set GitHub__RetryDelay", delays.Message);
    }

    [Fact]
    public void MailChecksTheSenderOnlyWhereMailIsSent()
    {
        using (Start(b => b.AddMail(), ("Mail:From", "not an address <")))
        {
            // Without Mail:SmtpHost nothing reads Mail:From.
        }

        var error = Assert.Throws<StartupException>(() => Start(b => b.AddMail(), ("Mail:SmtpHost", "smtp.example.com"), ("Mail:From", "not an address <")));
        Assert.Contains("set Mail__From", error.Message);

        var port = Assert.Throws<StartupException>(() => Start(b => b.AddMail(), ("Mail:SmtpPort", "0")));
        Assert.Contains("set Mail__SmtpPort", port.Message);
    }

    [Fact]
    public void TheEngineIsOneAndCachesUnderTheSandboxCacheFolder()
    {
        var cache = Path.Combine(Path.GetTempPath(), "options-cache");
        using var host = Start(b => b.AddSandbox(), ("Sandbox:CacheFolder", cache));
        Assert.Same(host.Services.GetRequiredService<GradingEngine>(), host.Services.GetRequiredService<GradingEngine>());
        Assert.Equal(Path.Combine(cache, "grader-builds"), host.Services.GetRequiredService<IOptions<SandboxOptions>>().Value.GradingEngine.GraderBuildCache);
    }

    [Fact]
    public void LocalGradingReadsTheScratchFolderFromAssessmentsScratch()
    {
        using (var byDefault = Start(b => b.AddLocalGrading()))
        {
            Assert.Equal(Path.GetTempPath(), byDefault.Services.GetRequiredService<IOptions<LocalHostOptions>>().Value.ScratchFolder);
            Assert.NotNull(byDefault.Services.GetRequiredService<GradingEngine>());
            Assert.NotNull(byDefault.Services.GetRequiredService<LocalHostFactory>());
        }

        using var host = Start(b => b.AddLocalGrading(), ("ASSESSMENTS_SCRATCH", "/var/tmp/scratch-here"));
        Assert.Equal("/var/tmp/scratch-here", host.Services.GetRequiredService<IOptions<LocalHostOptions>>().Value.ScratchFolder);
    }

    [Fact]
    public void TheLibraryPathComesFromTheScenariosSection()
    {
        using var host = Start(b => b.AddScenarioLibrary(), ("Scenarios:LibraryPath", "/srv/library"));
        Assert.Equal("/srv/library", host.Services.GetRequiredService<IOptions<ScenarioLibraryOptions>>().Value.LibraryPath);
    }

    /// <summary>Builds a host from only <paramref name="settings"/> and validates its options as a process does at start.</summary>
    private static IHost Start(Action<IHostApplicationBuilder> configure, params (string Key, string Value)[] settings)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Configuration.AddInMemoryCollection(settings.Select(s => new KeyValuePair<string, string?>(s.Key, s.Value)));
        configure(builder);
        var host = builder.Build();
        try
        {
            StartupChecks.ValidateOptions(host.Services);
        }
        catch
        {
            host.Dispose();
            throw;
        }

        return host;
    }
}
