using Assessments.Runner.Results;
using Assessments.Web.Data;

namespace Assessments.Web.Tests.Data;

/// <summary>The data model's words for a stored grading are the results contract's, name for name:
/// a word added to one and not the other fails here, not when a report is first stored with it.</summary>
public sealed class GradingVocabularyTests
{
    public static TheoryData<Type, Type> Pairs() => new()
    {
        { typeof(GradingKind), typeof(SubjectKind) },
        { typeof(GradingVerdict), typeof(Verdict) },
        { typeof(TestResultVisibility), typeof(TestVisibility) },
        { typeof(TestResultStatus), typeof(TestStatus) },
        { typeof(MetricSampleDirection), typeof(MetricDirection) },
        { typeof(MetricSampleKind), typeof(MetricKind) },
        { typeof(MetricSampleComparison), typeof(MetricComparison) },
        { typeof(MetricBaselineSource), typeof(BaselineSource) },
        { typeof(FindingLevel), typeof(FindingSeverity) },
        { typeof(StageSide), typeof(Side) },
        { typeof(StageResult), typeof(Assessments.Runner.Results.StageStatus) },
        { typeof(FileChangeKind), typeof(ChangeKind) },
    };

    [Theory]
    [MemberData(nameof(Pairs))]
    public void StoredWordsAreTheContractsWords(Type stored, Type contract)
    {
        Assert.Equal(Enum.GetNames(contract), Enum.GetNames(stored));
    }
}
