using System.Net;
using System.Text.RegularExpressions;
using Assessments.Web.Data;
using Assessments.Web.Features.Account;
using Assessments.Web.Common;
using Assessments.Web.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;

[assembly: AssemblyFixture(typeof(Assessments.Web.Tests.Infrastructure.WebApp))]

namespace Assessments.Web.Tests.Infrastructure;

/// <summary>The web role on a real Kestrel at 127.0.0.1, on a migrated database of its own. One
/// per test assembly: Hangfire keeps its storage in process-wide statics.</summary>
public sealed partial class WebApp : IAsyncLifetime
{
    private WebApplication? _app;

    public const int GitPerMinute = 600;

    /// <summary>The meter name of the <c>OperationsMetrics</c> tests make beside the app: never the
    /// app's own, whose series a second meter of that name would share and, disposed, end.</summary>
    public const string TestMeter = "Assessments.Tests";

    /// <summary>The bearer token a scrape of <c>/metrics</c> sends.</summary>
    public const string ScrapeToken = "scrape-token-for-the-web-tests-0123456789";

    public MigratedDatabase Database { get; } = new();

    public Uri BaseAddress { get; private set; } = null!;

    /// <summary>The built-in git host's repositories, a folder of this fixture's own.</summary>
    public DirectoryInfo Repositories { get; } = Directory.CreateTempSubdirectory("webapp-repos-");

    public IServiceProvider Services => _app!.Services;

    /// <summary>What the app logged at error level, for the message of a test that got a 500.</summary>
    public ErrorLog Errors { get; } = new();

    /// <summary>GETs a page that must answer 200, and says what the app logged when it does not.</summary>
    public async Task<string> GetPageAsync(HttpClient client, string url, CancellationToken cancellationToken)
    {
        var response = await client.GetAsync(url, cancellationToken);
        var body = await response.Content.ReadAsStringAsync(cancellationToken);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"GET {url} answered {(int)response.StatusCode}. The app logged:\n{string.Join("\n", Errors.Lines.TakeLast(3))}");
        return body;
    }

    /// <summary>The SMTP server the app mails through: a local sink that keeps what it receives.</summary>
    public netDumbster.smtp.SimpleSmtpServer Smtp { get; private set; } = null!;

    /// <summary>The GitHub the app talks to: a local fake of its REST API.</summary>
    public FakeGitHub GitHub { get; } = new();

    public async ValueTask InitializeAsync()
    {
        await Database.InitializeAsync();
        await GitHub.StartAsync();
        Smtp = netDumbster.smtp.SimpleSmtpServer.Start();
        _app = AssessmentsWebApplication.Build(
            [
                "--urls=http://127.0.0.1:0",
                $"--ConnectionStrings:Assessments={Database.ConnectionString}",
                "--Web:PublicBaseUrl=https://assess.example.test",
                "--Logging:LogLevel:Default=Warning",
                $"--Repositories:Root={Repositories.FullName}",
                $"--GitHub:ApiUrl={GitHub.BaseAddress}",
                $"--GitHub:Token={FakeGitHub.Token}",
                // Short waits, so retried calls cost the suite little.
                "--GitHub:RetryDelay=00:00:00.050",
                "--GitHub:MaxRetryDelay=00:00:05",
                "--Mail:SmtpHost=127.0.0.1",
                $"--Mail:SmtpPort={Smtp.Configuration.Port}",
                "--Mail:Security=None",
                // The git tests clone and push from 127.0.0.1 with the real git client (which
                // cannot choose its source address); the limit test sends this many plus one.
                $"--RateLimits:GitPerMinute={GitPerMinute}",
                $"--Operations:ScrapeToken={ScrapeToken}",
            ],
            ServerRoles.Web);
        _app.Services.GetRequiredService<Microsoft.Extensions.Logging.ILoggerFactory>().AddProvider(Errors);
        await _app.StartAsync();
        var address = _app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.Single();
        BaseAddress = new Uri(address);
    }

    /// <summary>A client that keeps cookies and does not follow redirects, like a careful browser
    /// test. Each client connects from an address of its own in 127.0.0.0/8 (all loopback on
    /// Linux), so the per-address rate limits treat tests as the different visitors they are.</summary>
    public HttpClient CreateClient() => CreateClient(LoopbackAddress.Next());

    /// <summary>A client connecting from <paramref name="source"/>.</summary>
    public HttpClient CreateClient(IPAddress source) =>
        new(new SocketsHttpHandler
        {
            CookieContainer = new CookieContainer(),
            AllowAutoRedirect = false,
            UseCookies = true,
            ConnectCallback = (context, cancellationToken) => LoopbackAddress.ConnectFromAsync(source, context.DnsEndPoint, cancellationToken),
        })
        {
            BaseAddress = BaseAddress,
        };

    public async Task<User> CreateUserAsync(string email, string password, bool isOperator = false)
    {
        await using var scope = Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<User>>();
        var user = new User { UserName = email, Email = email, DisplayName = email, IsOperator = isOperator, EmailConfirmed = true };
        var result = await users.CreateAsync(user, password);
        Assert.True(result.Succeeded, string.Join(" ", result.Errors.Select(e => e.Description)));
        return user;
    }

    /// <summary>Signs in through the login form, antiforgery token included, as a browser would.</summary>
    public static async Task<HttpResponseMessage> SignInAsync(HttpClient client, string email, string password, CancellationToken cancellationToken)
    {
        var form = await client.GetStringAsync("/account/login", cancellationToken);
        var token = AntiforgeryToken().Match(form).Groups[1].Value;
        return await client.PostAsync("/account/login", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["Email"] = email,
            ["Password"] = password,
            ["__RequestVerificationToken"] = token,
        }), cancellationToken);
    }

    /// <summary>The antiforgery token of the first form on <paramref name="page"/>, for posting it as a browser would.</summary>
    public static string FormToken(string page) => AntiforgeryToken().Match(page).Groups[1].Value;

    [GeneratedRegex("name=\"__RequestVerificationToken\" type=\"hidden\" value=\"([^\"]+)\"")]
    private static partial Regex AntiforgeryToken();

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }

        await Database.DisposeAsync();
        await GitHub.DisposeAsync();
        Smtp.Dispose();
        Repositories.Delete(recursive: true);
    }
}
