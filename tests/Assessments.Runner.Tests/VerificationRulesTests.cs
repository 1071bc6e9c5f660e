using Assessments.Runner.Results;
using Assessments.Runner.Verification;
using Assessments.Scenarios;
using Assessments.Scenarios.Manifest;

namespace Assessments.Runner.Tests;

/// <summary>The verifier's judgement on reports, without running them: a hidden test counts as
/// failing on the template only when it fails with its declared message.</summary>
public sealed class VerificationRulesTests
{
    private static readonly ScenarioManifest Manifest = LoadTinyManifest();

    [Fact]
    public void DeclaredFailureOnTheTemplateIsAccepted()
    {
        var problems = Check(
            Hidden("AnswersHello", TestStatus.Fail, "expected hello but got helo"),
            Hidden("RemembersAfterRestart", TestStatus.Fail, "the note was forgot after the restart"));
        Assert.Empty(problems);
    }

    [Fact]
    public void FailingForAnotherReasonFailsTheVerification()
    {
        var problems = Check(
            Hidden("AnswersHello", TestStatus.Error, "System.Net.Http.HttpRequestException : Connection refused (127.0.0.1:5999)"),
            Hidden("RemembersAfterRestart", TestStatus.Fail, "the note was forgot after the restart"));
        var problem = Assert.Single(problems);
        Assert.Equal("hidden test AnswersHello fails on the template for another reason: Error: \"System.Net.Http.HttpRequestException : Connection refused (127.0.0.1:5999)\" (declared: \"expected hello\")", problem);
    }

    [Fact]
    public void AssertionWithAnotherMessageFailsTheVerification()
    {
        var problems = Check(
            Hidden("AnswersHello", TestStatus.Fail, "expected status 200 but got 404"),
            Hidden("RemembersAfterRestart", TestStatus.Fail, "the note was forgot after the restart"));
        Assert.Contains("hidden test AnswersHello fails on the template for another reason", Assert.Single(problems));
    }

    [Fact]
    public void PassingOnTheTemplateFailsTheVerification()
    {
        var problems = Check(
            Hidden("AnswersHello", TestStatus.Pass, null),
            Hidden("RemembersAfterRestart", TestStatus.Fail, "the note was forgot after the restart"));
        Assert.Equal("hidden test AnswersHello passes on the template; it must fail with \"expected hello\"", Assert.Single(problems));
    }

    [Fact]
    public void GuardMustPassOnTheTemplate()
    {
        using var package = new TestPackage();
        package.EditManifest("      failsOnTemplateWith: \"expected hello\"\n", "      passesOnTemplate: true\n");
        var manifest = package.Load().GetPackageOrThrow(package.Display).Manifest;
        var problems = new List<string>();
        ScenarioVerifier.CheckTemplate(manifest, Report(Verdict.TestsFailed,
            Hidden("AnswersHello", TestStatus.Fail, "response changed"),
            Hidden("RemembersAfterRestart", TestStatus.Fail, "the note was forgot after the restart")), problems);
        Assert.Equal("guard AnswersHello must pass on the template, but: Fail: \"response changed\"", Assert.Single(problems));
    }

    [Fact]
    public void TestThatDidNotRunFailsTheVerification()
    {
        var problems = Check(Hidden("AnswersHello", TestStatus.Fail, "expected hello"));
        Assert.Equal("hidden test RemembersAfterRestart did not run on the template", Assert.Single(problems));
    }

    [Fact]
    public void ShallowVariantMustFailItsNamedTest()
    {
        var variant = Manifest.Variants.Single();
        var problems = new List<string>();
        ScenarioVerifier.CheckVariant(variant, Report(Verdict.Passed, Hidden("AnswersHello", TestStatus.Pass, null), Hidden("RemembersAfterRestart", TestStatus.Pass, null)), problems);
        Assert.Equal("variant shallow was expected to fail RemembersAfterRestart, but everything passed", Assert.Single(problems));

        problems.Clear();
        ScenarioVerifier.CheckVariant(variant, Report(Verdict.TestsFailed, Hidden("AnswersHello", TestStatus.Pass, null), Hidden("RemembersAfterRestart", TestStatus.Fail, "forgot")), problems);
        Assert.Empty(problems);
    }

    [Fact]
    public void TheVariantsTableSaysWhatEachShortcutGot()
    {
        var failed = Report(Verdict.TestsFailed, Hidden("AnswersHello", TestStatus.Pass, null), Hidden("RemembersAfterRestart", TestStatus.Fail, "forgot the greeting\nat line 3"));
        var passed = Report(Verdict.Passed, Hidden("AnswersHello", TestStatus.Pass, null));
        var result = new VerificationResult(Manifest, passed, passed, [("shallow", failed), ("projection", passed)], []);
        var lines = result.VariantsTable().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(3, lines.Length);
        Assert.Matches(@"^shallow\s+tests-failed\s+-\s+RemembersAfterRestart: forgot the greeting$", lines[1]);
        Assert.Matches(@"^projection\s+passed\s+-\s+-$", lines[2]);
    }

    private static List<string> Check(params TestOutcome[] tests)
    {
        var problems = new List<string>();
        ScenarioVerifier.CheckTemplate(Manifest, Report(Verdict.TestsFailed, tests), problems);
        return problems;
    }

    private static TestOutcome Hidden(string name, TestStatus status, string? message) =>
        new() { Name = name, Visibility = TestVisibility.Hidden, Phase = "main", Status = status, Message = message };

    private static GradingReport Report(Verdict verdict, params TestOutcome[] tests) => new()
    {
        Status = verdict == Verdict.Passed ? ReportStatus.Pass : ReportStatus.Fail,
        Verdict = verdict,
        Stage = verdict == Verdict.Passed ? null : "hidden-tests:main",
        Scenario = new ScenarioRef("tiny", "1.0", new string('0', 64)),
        Subject = new SubjectRef(SubjectKind.Verification, "template", null),
        Tests = tests,
        Environment = new RunEnvironment("local", null, new Dictionary<string, string>()),
        StartedAt = DateTimeOffset.UtcNow,
        FinishedAt = DateTimeOffset.UtcNow,
    };

    private static ScenarioManifest LoadTinyManifest()
    {
        using var package = new TestPackage();
        return package.Load().GetPackageOrThrow(package.Display).Manifest;
    }
}
