namespace Assessments.Web.Features.Team;

public static class TeamExtensions
{
    /// <summary>Team pages of the web role: members, roles and mailed invitations.</summary>
    public static IHostApplicationBuilder AddTeam(this IHostApplicationBuilder builder)
    {
        builder.Services.AddScoped<TeamInvitations>();
        return builder;
    }
}
