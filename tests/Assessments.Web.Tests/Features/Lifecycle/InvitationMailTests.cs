using System.Net;
using System.Net.Sockets;
using Assessments.Web.Data;
using Assessments.Web.Features.Lifecycle;
using Assessments.Web.Features.Mail;
using Assessments.Web.Features.Scenarios;
using Assessments.Web.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Assessments.Web.Tests.Features.Lifecycle;

/// <summary>Invitations reach candidates by mail: through SMTP (a local sink here), or into the
/// log when no SMTP server is configured; a mail that fails loses no invitation.</summary>
[Collection(RepositoriesCollection.Name)]
public sealed class InvitationMailTests(WebApp app) : IAsyncLifetime
{
    private readonly string _organisation = $"mail-{Guid.NewGuid():N}"[..16];

    public async ValueTask InitializeAsync()
    {
        await using var db = app.Database.CreateContext();
        db.Organisations.Add(new Organisation { Slug = _organisation, Name = "Acme Hiring" });
        await db.SaveChangesAsync(TestContext.Current.CancellationToken);
        await new ScenarioImporter(db).ImportAsync(await Scaffold.PackageAsync(), CancellationToken.None);
        await Verified.MarkAsync(db, (await Scaffold.PackageAsync()).ContentHash);
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    [Fact]
    public async Task AnInvitationIsMailedToTheCandidateWithTheLinkAndTheTimeAllowed()
    {
        var ct = TestContext.Current.CancellationToken;
        var email = $"grace.{Guid.NewGuid():N}@example.com";
        await using var scope = app.Services.CreateAsyncScope();
        var invitation = await scope.ServiceProvider.GetRequiredService<AssessmentLifecycle>().InviteAsync(Request(email), "test", ct);

        Assert.Equal($"mailed to {email} through 127.0.0.1:{app.Smtp.Configuration.Port}", invitation.Mail);
        var mail = Assert.Single(app.Smtp.ReceivedEmail, m => m.ToAddresses.Any(a => a.Address == email));
        Assert.Equal("Acme Hiring: technical assessment \"Greeting service forgets and over-queries\"", mail.Subject);
        var body = mail.MessageParts[0].BodyData;
        Assert.Contains("Hello Grace Hopper,", body);
        Assert.Contains(invitation.Link, body);
        Assert.Contains("You will have 3 hours from the moment you press Start.", body);
        Assert.Equal("noreply@assessments.local", mail.FromAddress.Address);
    }

    [Fact]
    public async Task WhenTheSmtpServerIsDownTheInvitationIsKeptAndTheResultSaysTheMailWasNotSent()
    {
        var ct = TestContext.Current.CancellationToken;
        var email = $"grace.{Guid.NewGuid():N}@example.com";
        var down = new SmtpMailSender(Options.Create(new MailOptions { SmtpHost = "127.0.0.1", SmtpPort = ClosedPort(), Security = MailSecurity.None }));
        await using var scope = app.Services.CreateAsyncScope();
        var lifecycle = ActivatorUtilities.CreateInstance<AssessmentLifecycle>(scope.ServiceProvider, (IMailSender)down);

        var invitation = await lifecycle.InviteAsync(Request(email), "test", ct);

        Assert.StartsWith("NOT mailed (127.0.0.1:", invitation.Mail);
        Assert.EndsWith("pass the link on yourself", invitation.Mail);
        await using var db = app.Database.CreateContext();
        Assert.Equal(AssessmentStatus.Invited, (await db.Assessments.SingleAsync(a => a.Id == invitation.AssessmentId, ct)).Status);
    }

    [Fact]
    public async Task WithoutSmtpTheMessageIsWrittenToTheLog()
    {
        var logger = new ListLogger();
        var sender = new LogMailSender(logger);
        await sender.SendAsync(new MailMessage("ada@example.com", "Ada", "Subject line", "Open https://assess.example.test/invitations/inv_x"), TestContext.Current.CancellationToken);

        var entry = Assert.Single(logger.Entries);
        Assert.Contains("ada@example.com", entry);
        Assert.Contains("https://assess.example.test/invitations/inv_x", entry);
        Assert.Contains("no Mail:SmtpHost", sender.Destination);
    }

    private InvitationRequest Request(string email) =>
        new("greeting", email, "Grace Hopper", null, _organisation, null, null, TimeSpan.FromHours(3));

    private static int ClosedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private sealed class ListLogger : ILogger<LogMailSender>
    {
        public List<string> Entries { get; } = [];

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            Entries.Add(formatter(state, exception));
    }
}
