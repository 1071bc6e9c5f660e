using Microsoft.Playwright;

namespace Assessments.Web.Tests.Infrastructure;

/// <summary>Debian's chromium, driven by Playwright (no browser download: <c>ExecutablePath</c>).
/// Every host name but 127.0.0.1 fails to resolve, so a page cannot make the browser reach out,
/// and nothing the browser does in the background leaves the machine.</summary>
public sealed class Chromium : IAsyncLifetime
{
    public const string ExecutablePath = "/usr/bin/chromium";

    private IPlaywright? _playwright;

    public IBrowser Browser { get; private set; } = null!;

    /// <summary>Where screenshots go: the test run's artifacts folder.</summary>
    public DirectoryInfo Screenshots { get; } = Directory.CreateDirectory(Path.Combine(
        Environment.GetEnvironmentVariable("ASSESSMENTS_TEST_DIR") ?? Path.GetTempPath(), "artifacts", "screenshots"));

    public async ValueTask InitializeAsync()
    {
        if (!File.Exists(ExecutablePath))
        {
            throw new InvalidOperationException($"{ExecutablePath} is missing: scripts/test installs Debian's chromium package (apt-get install chromium).");
        }

        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ExecutablePath,
            Headless = true,
            Args =
            [
                // Tests run as root, where chromium's own sandbox cannot start.
                "--no-sandbox",
                "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        });
    }

    /// <summary>A fresh browser profile at desktop or phone size.</summary>
    public Task<IBrowserContext> NewContextAsync(Uri baseAddress, bool phone = false) =>
        Browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = baseAddress.ToString(),
            ViewportSize = phone ? new ViewportSize { Width = 390, Height = 844 } : new ViewportSize { Width = 1366, Height = 900 },
            DeviceScaleFactor = 1,
            IsMobile = phone,
            HasTouch = phone,
        });

    public async Task ScreenshotAsync(IPage page, string name) =>
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(Screenshots.FullName, name + ".png"), FullPage = true });

    /// <summary>One part of a page, such as the scoring panel.</summary>
    public async Task ScreenshotAsync(ILocator part, string name) =>
        await part.ScreenshotAsync(new LocatorScreenshotOptions { Path = Path.Combine(Screenshots.FullName, name + ".png") });

    public async ValueTask DisposeAsync()
    {
        if (Browser is not null)
        {
            await Browser.DisposeAsync();
        }

        _playwright?.Dispose();
    }
}
