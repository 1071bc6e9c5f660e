using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Assessments.Web.Data.Configurations;

internal static class ConstraintExtensions
{
    /// <summary>A check constraint that keeps an enum column to the enum's names, so a row
    /// written outside EF (psql, a later version's bug) cannot hold a value the code cannot read.</summary>
    public static TableBuilder<T> HasEnumCheck<T, TEnum>(this TableBuilder<T> table, string column, bool nullable = false)
        where T : class
        where TEnum : struct, Enum
    {
        var names = string.Join(", ", Enum.GetNames<TEnum>().Select(n => $"'{n}'"));
        var sql = nullable ? $"{column} IS NULL OR {column} IN ({names})" : $"{column} IN ({names})";
        table.HasCheckConstraint($"ck_{table.Name}_{column}", sql);
        return table;
    }

    public const string SlugPattern = "^[a-z0-9][a-z0-9-]{0,62}$";

    public const string CommitShaPattern = "^([0-9a-f]{40}|[0-9a-f]{64})$";
}
