using Assessments.Runner.Results;
using Assessments.Runner.Scoring;
using Assessments.Scenarios.Manifest;

namespace Assessments.Web.Features.Scoring;

/// <summary>What the report page's scoring panel shows one caller: the rubric with each criterion's
/// suggested level and evidence, the caller's own review (or an empty form), and the other
/// reviews when <see cref="Blinding.MaySeeOthers"/> allows.</summary>
public sealed class ScoringPanel
{
    public required IReadOnlyList<RubricCriterion> Rubric { get; init; }

    /// <summary>By criterion id; only criteria the scenario maps evidence to.</summary>
    public required IReadOnlyDictionary<string, CriterionSuggestion> Suggestions { get; init; }

    /// <summary>The grading the suggestions were read from, and its report (for links into it).</summary>
    public Guid? EvidenceGrading { get; init; }

    public GradingReport? EvidenceReport { get; init; }

    public string? EvidenceCommit { get; init; }

    public Review? Own { get; init; }

    /// <summary>The caller's form: their saved review, or what they posted when it was refused.</summary>
    public required ReviewForm Form { get; set; }

    public bool MayScore { get; init; }

    public bool MaySeeOthers { get; init; }

    /// <summary>The other reviews, with their reviewers and levels; empty unless visible.</summary>
    public IReadOnlyList<Review> Others { get; init; } = [];

    /// <summary>How many other reviews exist and how many are submitted: said even when hidden.</summary>
    public int OthersStarted { get; init; }

    public int OthersSubmitted { get; init; }

    /// <summary>The caller is an admin of the organisation: assigns reviewers and decides.</summary>
    public bool IsAdmin { get; init; }

    /// <summary>The organisation's admins and reviewers, for the assignment form (admins only).</summary>
    public IReadOnlyList<(Guid Id, string Name, OrganisationRole Role)> Members { get; init; } = [];

    /// <summary>All reviews of the assessment, for who is assigned and who has submitted (never their levels).</summary>
    public IReadOnlyList<Review> All { get; init; } = [];

    /// <summary>Why no decision can be made yet, or null.</summary>
    public string? DecisionBlocker { get; init; }

    public string? AssignmentProblem { get; set; }

    public string? DecisionProblem { get; set; }

    /// <summary>Problems from the last post, by form field.</summary>
    public IReadOnlyList<(string Field, string Message)> Problems { get; set; } = [];

    /// <summary>The levels of the caller's form, for the score and its worked formula.</summary>
    public IReadOnlyDictionary<string, RubricLevel?> Levels(Review? review = null) =>
        review is null
            ? Rubric.ToDictionary(c => c.Id, c => Form.Criteria.GetValueOrDefault(c.Id)?.Level)
            : Rubric.ToDictionary(c => c.Id, c => review.Criteria.SingleOrDefault(x => x.CriterionId == c.Id)?.Level);

    /// <summary>Where on the report page a reading's evidence is: the test, the metric's chart, or the
    /// first line a finding of the rule is on.</summary>
    public string? EvidenceLink(RubricEvidence evidence)
    {
        if (EvidenceGrading is not { } grading || EvidenceReport is not { } report)
        {
            return null;
        }

        var anchor = evidence.Kind switch
        {
            // A test that did not run has nothing on the report to point at.
            EvidenceKind.Test => report.Tests.Any(t => Anchor(t.Name) == Anchor(evidence.Target)) ? "test-" + Anchor(evidence.Target) : null,
            EvidenceKind.Metric => "metric-" + Anchor(evidence.Target),
            _ => report.Findings.FirstOrDefault(f => f.Rule == evidence.Target) is { } finding
                 && report.Changes.Select((c, i) => (c, i)).FirstOrDefault(x => x.c.Path == finding.Path) is { c: not null } change
                ? $"file-{change.i}"
                : null,
        };
        return anchor is null ? null : $"?grading={grading}#{anchor}";
    }

    /// <summary>An element id from a test name or metric key: letters, digits, dashes and underscores.</summary>
    public static string Anchor(string name)
    {
        var declared = name.Split('(', 2)[0];
        return string.Concat(declared.Select(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-' ? c : '-'));
    }

    /// <summary>The problem for <paramref name="field"/>, if the last post had one.</summary>
    public string? Problem(string field) => Problems.FirstOrDefault(p => p.Field == field).Message;
}
