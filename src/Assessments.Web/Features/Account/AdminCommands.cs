using System.CommandLine;
using System.Security.Cryptography;
using Assessments.Web.CommandLine;
using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Identity;

namespace Assessments.Web.Features.Account;

public static class AdminCommands
{
    public static Command Admin()
    {
        return new Command("admin", "Manage administrator accounts.")
        {
            Create(),
        };
    }

    private static Command Create()
    {
        var email = new Option<string>("--email") { Description = "The account's email address; it is also the login.", Required = true };
        var name = new Option<string?>("--name") { Description = "Display name (defaults to the email address)." };
        var passwordFile = new Option<FileInfo?>("--password-file") { Description = "Read the password from the first line of this file; without it a password is generated and printed once." };
        var isOperator = new Option<bool>("--operator") { Description = "Also a site operator: the jobs dashboard and worker probes." };
        var organisation = new Option<string?>("--org") { Description = "Make the account an admin of this organisation (by slug); it must exist." };
        var ifMissing = new Option<bool>("--if-missing") { Description = "Do nothing, successfully, when the account already exists (for scripts that run twice)." };

        var command = new Command("create", "Create an administrator account. Needs ConnectionStrings__Assessments.")
        {
            email, name, passwordFile, isOperator, organisation, ifMissing,
        };
        command.SetAction((parse, cancellationToken) => CommandRunner.RunAsync(async () =>
        {
            var request = new CreateAdmin(
                parse.GetRequiredValue(email).Trim(),
                parse.GetValue(name),
                parse.GetValue(passwordFile),
                parse.GetValue(isOperator),
                parse.GetValue(organisation),
                parse.GetValue(ifMissing));
            return await CreateAsync(request, cancellationToken);
        }));
        return command;
    }

    private sealed record CreateAdmin(string Email, string? Name, FileInfo? PasswordFile, bool IsOperator, string? Organisation, bool IfMissing);

    private static async Task<int> CreateAsync(CreateAdmin request, CancellationToken cancellationToken)
    {
        using var host = await CommandHost.StartDatabaseHostAsync(
            builder => builder.Services.AddIdentityCore<User>(AccountExtensions.ConfigureIdentity).AddEntityFrameworkStores<AssessmentsDbContext>(),
            cancellationToken);
        await using var scope = host.Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<User>>();
        var db = scope.ServiceProvider.GetRequiredService<AssessmentsDbContext>();

        if (await users.FindByEmailAsync(request.Email) is { } existing)
        {
            if (!request.IfMissing)
            {
                throw new CommandException($"an account with email {request.Email} already exists (pass --if-missing to accept that)");
            }

            Console.WriteLine($"Account {existing.Email} already exists; left as it is.");
            return 0;
        }

        Organisation? org = null;
        if (request.Organisation is not null)
        {
            org = await db.Organisations.SingleOrDefaultAsync(o => o.Slug == request.Organisation, cancellationToken)
                  ?? throw new CommandException($"no organisation with slug '{request.Organisation}' (see `assess seed-demo` for the demo one)");
        }

        var generated = request.PasswordFile is null;
        var password = generated ? GeneratePassword() : await ReadPasswordAsync(request.PasswordFile!, cancellationToken);

        var user = new User
        {
            UserName = request.Email,
            Email = request.Email,
            EmailConfirmed = true,
            DisplayName = request.Name ?? request.Email,
            IsOperator = request.IsOperator,
        };

        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var result = await users.CreateAsync(user, password);
        if (!result.Succeeded)
        {
            throw new CommandException($"cannot create {request.Email}: {string.Join(" ", result.Errors.Select(e => e.Description))}");
        }

        if (org is not null)
        {
            db.Memberships.Add(new Membership { OrganisationId = org.Id, UserId = user.Id, Role = OrganisationRole.Admin });
        }

        db.AuditEvents.Add(AuditEvent.About("user", user.Id.ToString(), org?.Id, "cli", "user.created", new { email = user.Email, isOperator = user.IsOperator, organisation = org?.Slug }));
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);

        Console.WriteLine($"Created {(request.IsOperator ? "operator and " : "")}administrator {user.Email}{(org is null ? "" : $" in {org.Slug}")}.");
        if (generated)
        {
            Console.WriteLine($"Password (shown once): {password}");
        }

        // Optional here: the command needs only the database, but names the sign-in page when it can.
        var publicUrl = host.Services.GetRequiredService<IConfiguration>().GetSection(PublicUrlOptions.Section).Get<PublicUrlOptions>();
        if (publicUrl is not null && !publicUrl.Validate(new ValidationContext(publicUrl)).Any())
        {
            Console.WriteLine($"Sign in at {publicUrl.Link("/account/login")}");
        }

        return 0;
    }

    private static async Task<string> ReadPasswordAsync(FileInfo file, CancellationToken cancellationToken)
    {
        if (!file.Exists)
        {
            throw new CommandException($"password file {file.FullName} does not exist");
        }

        var lines = await File.ReadAllLinesAsync(file.FullName, cancellationToken);
        var password = lines.FirstOrDefault()?.Trim();
        return string.IsNullOrEmpty(password)
            ? throw new CommandException($"password file {file.FullName} is empty")
            : password;
    }

    /// <summary>20 characters from an alphabet without look-alikes, about 115 bits.</summary>
    public static string GeneratePassword()
    {
        const string alphabet = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
        return RandomNumberGenerator.GetString(alphabet, 20);
    }
}
