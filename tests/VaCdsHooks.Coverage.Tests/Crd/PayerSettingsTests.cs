using Hl7.Fhir.Model;
using VaCdsHooks.Coverage.Policy;
using FhirCoverage = Hl7.Fhir.Model.Coverage;

namespace VaCdsHooks.Coverage.Tests.Crd;

/// <summary>Which coverages are ours: <c>Coverage.payor</c> against <c>PayerOrganizations</c> and <c>PayerIdentifiers</c>.</summary>
public sealed class PayerSettingsTests
{
    private static FhirCoverage PaidBy(ResourceReference payor) => new() { Id = "c", Payor = [payor] };

    [Theory]
    [InlineData("Organization/vacdshooks-payer")]
    [InlineData("https://ehr.example.org/fhir/Organization/vacdshooks-payer")]
    [InlineData("Organization/vacdshooks-payer/_history/3")]
    public void Default_settings_recognise_the_demo_payer_by_relative_or_absolute_reference(string reference) =>
        Assert.True(PolicySettings.Default.IsOurPayer(PaidBy(new ResourceReference(reference))));

    [Theory]
    [InlineData("http://example.org/fhir/Organization/example-payer")]
    [InlineData("Organization/vacdshooks-payer-2")]
    [InlineData("https://x.example/Organization/other/Organization/vacdshooks-payerX")]
    public void Another_payers_organization_is_not_ours(string reference) =>
        Assert.False(PolicySettings.Default.IsOurPayer(PaidBy(new ResourceReference(reference))));

    [Fact]
    public void A_payor_given_only_by_identifier_is_ours_when_the_identifier_is_configured()
    {
        var settings = new PolicySettings { PayerIdentifiers = ["http://hl7.org/fhir/sid/us-npi|1234567893"] };
        var byIdentifier = PaidBy(new ResourceReference { Identifier = new Identifier("http://hl7.org/fhir/sid/us-npi", "1234567893") });
        var otherIdentifier = PaidBy(new ResourceReference { Identifier = new Identifier("http://hl7.org/fhir/sid/us-npi", "9999999999") });

        Assert.True(settings.IsOurPayer(byIdentifier));
        Assert.False(settings.IsOurPayer(otherIdentifier));
    }

    [Fact]
    public void Settings_naming_no_payer_are_refused_at_start()
    {
        var settings = new PolicySettings { PayerOrganizations = [], PayerIdentifiers = [] };

        Assert.Contains(settings.Validate(), e => e.Contains("PayerOrganizations", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("vacdshooks-payer")]
    [InlineData("Practitioner/x")]
    public void Payer_organization_that_is_not_an_Organization_reference_is_refused(string value) =>
        Assert.Contains(new PolicySettings { PayerOrganizations = [value] }.Validate(), e => e.Contains("PayerOrganizations", StringComparison.Ordinal));

    [Theory]
    [InlineData("1234567893")]
    [InlineData("|1234567893")]
    [InlineData("not a uri|1")]
    [InlineData("http://hl7.org/fhir/sid/us-npi|")]
    public void Payer_identifier_without_system_and_value_is_refused(string value) =>
        Assert.Contains(new PolicySettings { PayerIdentifiers = [value] }.Validate(), e => e.Contains("PayerIdentifiers", StringComparison.Ordinal));

    [Fact]
    public void A_clone_does_not_share_the_payer_lists()
    {
        var settings = new PolicySettings();
        var copy = settings.Clone();
        settings.PayerOrganizations[0] = "Organization/changed";

        Assert.Equal("Organization/vacdshooks-payer", copy.PayerOrganizations[0]);
    }
}
