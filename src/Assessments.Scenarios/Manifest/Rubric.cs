using System.Globalization;

namespace Assessments.Scenarios.Manifest;

/// <summary>One rubric criterion with what strong, adequate and weak answers look like.</summary>
public sealed record RubricCriterion(string Id, string Title, int Weight, string Strong, string Adequate, string Weak, SourceLocation At)
{
    /// <summary>What in a grading suggests a level for this criterion; empty when only a reviewer
    /// can judge it (an explanation, the trade-offs weighed).</summary>
    public IReadOnlyList<RubricEvidence> Evidence { get; init; } = [];
}

/// <summary>How well a candidate met a criterion, weakest first, so the lower of two levels is the
/// smaller value.</summary>
public enum RubricLevel
{
    /// <summary>Missed the criterion, or met it in a way a senior reviewer would reject.</summary>
    Weak,

    /// <summary>Met it, with gaps.</summary>
    Adequate,

    /// <summary>Met it the way the rubric's strong answer describes.</summary>
    Strong,
}

/// <summary>What a piece of evidence looks at in a grading report.</summary>
public enum EvidenceKind
{
    /// <summary>A hidden test: passing allows any level, failing caps the criterion.</summary>
    Test,

    /// <summary>A metric's value or its ratio to the baseline, against two thresholds.</summary>
    Metric,

    /// <summary>A finding rule: present on the change, it caps the criterion; absent, it says
    /// nothing (no smell is no proof of strength), so a finding never suggests a level alone.</summary>
    Finding,
}

/// <summary>Which number of a metric the thresholds apply to.</summary>
public enum MetricScale
{
    /// <summary>The candidate's own number (statements per request: 4).</summary>
    Value,

    /// <summary>The candidate's number over the baseline's (0.05: twenty times fewer).</summary>
    Ratio,
}

/// <summary>One piece of evidence for a criterion. Each gives the best level its reading allows
/// (a cap); the criterion's suggested level is the lowest of them, so one failing test outweighs
/// any number of good ones. Evidence with nothing to read (a metric not measured) gives none.</summary>
/// <param name="Kind">What it reads.</param>
/// <param name="Target">The hidden test's name, the metric's key or the finding rule's id.</param>
/// <param name="At">Where the manifest declares it.</param>
public sealed record RubricEvidence(EvidenceKind Kind, string Target, SourceLocation At)
{
    /// <summary>For a test: the level it allows when it fails or does not run.</summary>
    public RubricLevel Failing { get; init; } = RubricLevel.Weak;

    /// <summary>For a metric: whether the thresholds apply to its value or its ratio to the baseline.</summary>
    public MetricScale On { get; init; } = MetricScale.Value;

    /// <summary>For a metric: at or beyond this (in the metric's better direction) allows strong.</summary>
    public double? Strong { get; init; }

    /// <summary>For a metric: at or beyond this allows adequate; short of it, weak.</summary>
    public double? Adequate { get; init; }

    /// <summary>For a finding: the level it allows when the change has it.</summary>
    public RubricLevel Present { get; init; } = RubricLevel.Adequate;

    /// <summary>The evidence as the manifest spells it (<c>metric statements_per_request ≤ 10 strong, ≤ 50 adequate</c>).</summary>
    public string Describe(MetricDirection? direction = null)
    {
        var at = direction == MetricDirection.Higher ? "≥" : "≤";
        return Kind switch
        {
            EvidenceKind.Test => $"hidden test {Target} passes (failing: {Word(Failing)})",
            EvidenceKind.Metric => $"{(On == MetricScale.Ratio ? "ratio of " : "")}{Target} {at} {Number(Strong)} strong, {at} {Number(Adequate)} adequate",
            _ => $"no {Target} finding (present: {Word(Present)})",
        };
    }

    /// <summary>The level's word as the manifest and the pages write it.</summary>
    public static string Word(RubricLevel level) => level.ToString().ToLowerInvariant();

    private static string Number(double? value) => value?.ToString("0.####", CultureInfo.InvariantCulture) ?? "?";
}

/// <summary>The weighted score of a set of levels, computed here and only here so the list, the
/// report, the comparison and the exports agree: each assessed criterion counts its weight times
/// its level's value (strong 1, adequate ½, weak 0), over the weights of the assessed criteria,
/// as a percentage. Criteria not assessed are left out of both sums rather than counted as weak.</summary>
public static class RubricScore
{
    /// <summary>How the score is computed, in words, for the pages to show beside it.</summary>
    public const string Formula = "Σ (weight × level) ÷ Σ weight of the assessed criteria × 100, with strong = 1, adequate = ½, weak = 0; criteria not assessed are left out";

    /// <summary>A level's value in the score.</summary>
    public static double Value(RubricLevel level) => level switch
    {
        RubricLevel.Strong => 1,
        RubricLevel.Adequate => 0.5,
        _ => 0,
    };

    /// <summary>The score from 0 to 100, or null when no criterion is assessed.</summary>
    /// <param name="rubric">The criteria with their weights.</param>
    /// <param name="levels">Criterion id → level; a missing or null entry is not assessed.</param>
    public static double? Compute(IReadOnlyList<RubricCriterion> rubric, IReadOnlyDictionary<string, RubricLevel?> levels)
    {
        var assessed = rubric.Where(c => levels.GetValueOrDefault(c.Id) is not null).ToList();
        if (assessed.Count == 0)
        {
            return null;
        }

        var weights = assessed.Sum(c => c.Weight);
        var points = assessed.Sum(c => c.Weight * Value(levels[c.Id]!.Value));
        return Math.Round(100 * points / weights, 1);
    }

    /// <summary>The computation with its numbers (<c>(30 × 1 + 30 × ½ + 20 × 0) ÷ 80 × 100 = 56.3</c>).</summary>
    public static string Worked(IReadOnlyList<RubricCriterion> rubric, IReadOnlyDictionary<string, RubricLevel?> levels)
    {
        var assessed = rubric.Where(c => levels.GetValueOrDefault(c.Id) is not null).ToList();
        if (assessed.Count == 0)
        {
            return "no criterion assessed yet";
        }

        var terms = assessed.Select(c => $"{c.Weight} × {Fraction(levels[c.Id]!.Value)}");
        var score = Compute(rubric, levels)!.Value;
        return string.Create(CultureInfo.InvariantCulture, $"({string.Join(" + ", terms)}) ÷ {assessed.Sum(c => c.Weight)} × 100 = {score:0.#}");
    }

    private static string Fraction(RubricLevel level) => level switch
    {
        RubricLevel.Strong => "1",
        RubricLevel.Adequate => "½",
        _ => "0",
    };
}
