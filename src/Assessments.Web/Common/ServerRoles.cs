namespace Assessments.Web.Common;

/// <summary>What a process of this binary does. Both by default; workers scale out by starting
/// more processes with only <see cref="Worker"/> against the same database.</summary>
[Flags]
public enum ServerRoles
{
    /// <summary>Pages, APIs, the git host, webhooks, the Hangfire dashboard.</summary>
    Web = 1,

    /// <summary>Hangfire servers that run jobs; needs the Docker engine for gradings.</summary>
    Worker = 2,

    All = Web | Worker,
}
