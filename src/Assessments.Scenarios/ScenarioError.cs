namespace Assessments.Scenarios;

/// <summary>A place in a scenario package: a file, and where known the line and column (1-based).</summary>
public readonly record struct SourceLocation(string File, int? Line = null, int? Column = null)
{
    /// <inheritdoc />
    public override string ToString() => Line is null ? File : Column is null ? $"{File}:{Line}" : $"{File}:{Line}:{Column}";
}

/// <summary>One problem in a scenario package, precise enough to fix without guessing:
/// <c>scenarios/n-plus-one/scenario.yaml:14:5: rubric[1].weight: must be a whole number from 1 to 100</c>.</summary>
/// <param name="Location">The file, and the line and column where known.</param>
/// <param name="Field">The manifest path of the value (<c>hidden.tests[2].name</c>), or empty for a whole file.</param>
/// <param name="Message">What is wrong and what would be right.</param>
public sealed record ScenarioError(SourceLocation Location, string Field, string Message)
{
    /// <inheritdoc />
    public override string ToString() => string.IsNullOrEmpty(Field) ? $"{Location}: {Message}" : $"{Location}: {Field}: {Message}";
}

/// <summary>Thrown where a caller needs a valid package and got an invalid one; carries every error.</summary>
public sealed class ScenarioValidationException(string packagePath, IReadOnlyList<ScenarioError> errors)
    : Exception($"Scenario package {packagePath} is not valid:{Environment.NewLine}{string.Join(Environment.NewLine, errors)}")
{
    /// <summary>Every problem found, in file order.</summary>
    public IReadOnlyList<ScenarioError> Errors { get; } = errors;
}
