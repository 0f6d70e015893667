using VaCdsHooks.Coverage.Policy;

namespace VaCdsHooks.Coverage.Tests.Artifacts;

public class PolicySettingsTests
{
    [Fact]
    public void Defaults_are_valid_and_follow_the_decision_model()
    {
        var settings = PolicySettings.Default;
        Assert.Empty(settings.Validate());
        Assert.Equal(4, settings.OnsetWindowMonths);
        Assert.Equal(20m, settings.OdiMinimalDisabilityMaxPercent);
        Assert.Equal(4m, settings.PersistentPainMinScore);
        Assert.Equal(3m, settings.RespondingMaxPainScore);
        Assert.Equal(50m, settings.RespondingMinReductionPercent);
        Assert.Equal(66.7m, settings.SevereCollapseMinHeightLossPercent);
        Assert.False(settings.StrictAttestation);
        Assert.Equal("2.0.1", settings.CrdVersion);
        Assert.Equal("http://vacdshooks.example.org/fhir/Questionnaire/vertebral-augmentation-documentation", settings.QuestionnaireReference);
    }

    public static TheoryData<string, Action<PolicySettings>> InvalidSettings => new()
    {
        { nameof(PolicySettings.PolicyVersion), s => s.PolicyVersion = " " },
        { nameof(PolicySettings.PolicyUrl), s => s.PolicyUrl = "policies/vertebroplasty.pdf" },
        { nameof(PolicySettings.QuestionnaireCanonical), s => s.QuestionnaireCanonical = "http://x.org/Questionnaire/q|1" },
        { nameof(PolicySettings.OnsetWindowMonths), s => s.OnsetWindowMonths = 0 },
        { nameof(PolicySettings.OdiMinimalDisabilityMaxPercent), s => s.OdiMinimalDisabilityMaxPercent = 120 },
        { nameof(PolicySettings.PersistentPainMinScore), s => s.PersistentPainMinScore = 11 },
        { nameof(PolicySettings.RespondingMaxPainScore), s => s.RespondingMaxPainScore = 5 },
        { nameof(PolicySettings.SevereCollapseMinHeightLossPercent), s => s.SevereCollapseMinHeightLossPercent = -1 },
        { nameof(PolicySettings.CrdVersion), s => s.CrdVersion = "1.0.0" },
    };

    [Theory]
    [MemberData(nameof(InvalidSettings))]
    public void Invalid_setting_is_reported_by_name(string name, Action<PolicySettings> change)
    {
        var settings = PolicySettings.Default;
        change(settings);
        Assert.Contains(settings.Validate(), e => e.Contains("CoveragePolicy:" + name, StringComparison.Ordinal));
    }

    [Fact]
    public void Loading_with_invalid_settings_fails_clearly()
    {
        var settings = PolicySettings.Default;
        settings.OnsetWindowMonths = 0;
        var error = Assert.Throws<PolicyArtifactException>(() => Support.TestPolicy.Load(settings));
        Assert.Contains("OnsetWindowMonths", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Changing_the_options_object_after_load_does_not_change_the_policy()
    {
        var settings = PolicySettings.Default;
        var policy = Support.TestPolicy.Load(settings);
        settings.OnsetWindowMonths = 12;
        Assert.Equal(4, policy.Settings.OnsetWindowMonths);
    }
}
