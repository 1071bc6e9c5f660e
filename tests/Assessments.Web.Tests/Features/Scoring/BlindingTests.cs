using Assessments.Web.Data;

namespace Assessments.Web.Tests.Features.Scoring;

/// <summary>What a blinded reader is spared in text the candidate wrote, and who reads blind.</summary>
public sealed class BlindingTests
{
    private static readonly Guid AssessmentId = Guid.Parse("0192f0c4-7d2a-7c3e-9a51-4b6d2e8f3a9c");

    private static readonly Blinding.Identity Ada = new(AssessmentId, "Ada Lovelace", "ada.lovelace@example.com", "adal", "ada-lovelace-1f2e3d4c");

    [Fact]
    public void TheNameEmailLoginAndSlugAreMaskedInAnyCaseAndTheWordsAroundThemKept()
    {
        var text = "Fix orders\n\nSigned-off-by: ADA LOVELACE <Ada.Lovelace@Example.com>\nCo-authored-by: adal\nclone /repos/acme/ada-lovelace-1f2e3d4c.git";

        var masked = Ada.Mask(text)!;

        Assert.Equal(
            "Fix orders\n\nSigned-off-by: Candidate 8F3A9C <[hidden during blind review]>\nCo-authored-by: [hidden during blind review]\nclone /repos/acme/[hidden during blind review].git",
            masked);
    }

    [Fact]
    public void AFirstNameAloneAndALoginInsideAnotherWordAreLeftAlone()
    {
        // "ada" in "metadata" and "adal" in "adalgisa" are not the candidate.
        Assert.Equal("var metadata = adalgisa(Ada);", Ada.Mask("var metadata = adalgisa(Ada);"));
        Assert.Null(Ada.Mask(null));
    }

    [Theory]
    [InlineData(true, OrganisationRole.Reviewer, null, true)]
    [InlineData(true, OrganisationRole.Author, null, true)]
    [InlineData(true, OrganisationRole.Admin, null, false)]
    [InlineData(true, OrganisationRole.Admin, "draft", true)]
    [InlineData(true, OrganisationRole.Reviewer, "draft", true)]
    [InlineData(true, OrganisationRole.Reviewer, "submitted", false)]
    [InlineData(false, OrganisationRole.Reviewer, null, false)]
    public void WhoReadsBlind(bool organisationReviewsBlind, OrganisationRole role, string? own, bool blind)
    {
        var review = own is null ? null : new Review { SubmittedAt = own == "submitted" ? DateTimeOffset.UtcNow : null };
        Assert.Equal(blind, Blinding.IsBlind(organisationReviewsBlind, role, review));
    }

    [Fact]
    public void ThePseudonymIsStablePerAssessmentAndDiffersBetweenThem()
    {
        Assert.Equal("Candidate 8F3A9C", Blinding.Pseudonym(AssessmentId));
        Assert.NotEqual(Blinding.Pseudonym(AssessmentId), Blinding.Pseudonym(Guid.CreateVersion7()));
    }
}
