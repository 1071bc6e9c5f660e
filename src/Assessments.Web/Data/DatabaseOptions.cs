using System.ComponentModel.DataAnnotations;

namespace Assessments.Web.Data;

/// <summary>The PostgreSQL database every web and worker process shares.</summary>
public sealed class DatabaseOptions
{
    /// <summary>Read from <c>ConnectionStrings:Assessments</c>.</summary>
    [Required(ErrorMessage = "ConnectionStrings:Assessments is not set: set ConnectionStrings__Assessments to a PostgreSQL connection string (Host=...;Database=...;Username=...;Password=...)")]
    public string? ConnectionString { get; set; }

    /// <summary>Apply pending migrations when a server starts (off: run <c>assess migrate</c>).</summary>
    public bool MigrateOnStart { get; set; }
}
