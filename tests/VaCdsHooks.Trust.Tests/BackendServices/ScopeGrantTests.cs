using static VaCdsHooks.Trust.Tests.BackendServices.SmartBackendTestHost;

namespace VaCdsHooks.Trust.Tests.BackendServices;

/// <summary>
/// Which scopes a token request is granted: the intersection of what was asked for with the DTR scopes, per resource
/// type (matched case-insensitively), v1 forms mapped as SMART App Launch 2 says.
/// </summary>
public sealed class ScopeGrantTests
{
    private static string Grant(string? requested) => SmartScopeGrants.Default.Grant(requested);

    [Theory]
    [InlineData("system/Questionnaire.rs", "system/Questionnaire.rs")]
    [InlineData("system/Questionnaire.r", "system/Questionnaire.r")]
    [InlineData("system/Questionnaire.s", "system/Questionnaire.s")]
    [InlineData("system/QuestionnaireResponse.cu", "system/QuestionnaireResponse.cu")]
    [InlineData("system/QuestionnaireResponse.c", "system/QuestionnaireResponse.c")]
    [InlineData("system/ValueSet.rs system/Library.rs", "system/ValueSet.rs system/Library.rs")]
    public void Allowed_scope_is_granted_as_asked(string requested, string granted) =>
        Assert.Equal(granted, Grant(requested));

    [Theory]
    [InlineData("system/Questionnaire.cruds", "system/Questionnaire.rs")]
    [InlineData("system/QuestionnaireResponse.cruds", "system/QuestionnaireResponse.cu")]
    [InlineData("system/QuestionnaireResponse.cud", "system/QuestionnaireResponse.cu")]
    [InlineData("system/Questionnaire.rs system/Patient.rs", "system/Questionnaire.rs")]
    [InlineData("system/Questionnaire.rs system/QuestionnaireResponse.d", "system/Questionnaire.rs")]
    public void Only_the_intersection_with_the_allowed_scopes_is_granted(string requested, string granted) =>
        Assert.Equal(granted, Grant(requested));

    [Theory]
    [InlineData("system/questionnaire.rs", "system/Questionnaire.rs")]
    [InlineData("system/QUESTIONNAIRERESPONSE.cu", "system/QuestionnaireResponse.cu")]
    [InlineData("system/valueset.r system/ValueSet.s", "system/ValueSet.rs")]
    public void Resource_type_matches_case_insensitively_and_is_granted_in_its_canonical_spelling(string requested, string granted) =>
        Assert.Equal(granted, Grant(requested));

    [Theory]
    [InlineData("system/Questionnaire.read", "system/Questionnaire.read")]
    [InlineData("system/Questionnaire.*", "system/Questionnaire.read")]
    [InlineData("system/Library.read system/ValueSet.read", "system/ValueSet.read system/Library.read")]
    public void V1_scope_is_mapped_and_answered_in_v1_form_when_v1_can_say_what_was_granted(string requested, string granted) =>
        Assert.Equal(granted, Grant(requested));

    [Theory]
    [InlineData("system/QuestionnaireResponse.write", "system/QuestionnaireResponse.cu")]
    [InlineData("system/Questionnaire.read system/QuestionnaireResponse.write", "system/Questionnaire.read system/QuestionnaireResponse.cu")]
    [InlineData("system/Questionnaire.read system/QuestionnaireResponse.cu", "system/Questionnaire.rs system/QuestionnaireResponse.cu")]
    public void V1_write_maps_to_cud_and_is_granted_as_create_and_update(string requested, string granted) =>
        Assert.Equal(granted, Grant(requested));

    [Theory]
    [InlineData("system/*.rs", "system/Questionnaire.rs system/ValueSet.rs system/Library.rs system/ClaimResponse.rs")]
    [InlineData("system/*.cruds", AllScopes)]
    [InlineData("system/*.read", "system/Questionnaire.read system/ValueSet.read system/Library.read system/ClaimResponse.read")]
    public void Wildcard_is_granted_for_each_allowed_resource_type(string requested, string granted) =>
        Assert.Equal(granted, Grant(requested));

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("system/Patient.rs")]
    [InlineData("patient/Questionnaire.rs")]
    [InlineData("user/Questionnaire.rs")]
    [InlineData("System/Questionnaire.rs")]
    [InlineData("system/Questionnaire.sr")]
    [InlineData("system/Questionnaire.rr")]
    [InlineData("system/Questionnaire.x")]
    [InlineData("system/Questionnaire.")]
    [InlineData("system/Questionnaire")]
    [InlineData("system/Questionnaire.rs?status=active")]
    [InlineData("system/Questionnaire.d")]
    [InlineData("system/Question-naire.rs")]
    [InlineData("launch openid fhirUser offline_access")]
    public void Scopes_that_are_not_grantable_grant_nothing(string? requested) =>
        Assert.Equal(string.Empty, Grant(requested));

    [Fact]
    public void Extra_spaces_between_scopes_are_tolerated() =>
        Assert.Equal("system/Questionnaire.rs system/ValueSet.rs", Grant("  system/ValueSet.rs   system/Questionnaire.rs "));

    [Theory]
    [InlineData("system/Questionnaire.rs", "Questionnaire", "rs")]
    [InlineData("system/Questionnaire.read", "Questionnaire", "rs")]
    [InlineData("system/QuestionnaireResponse.write", "QuestionnaireResponse", "cud")]
    [InlineData("system/*.r", "Library", "r")]
    [InlineData("system/questionnaire.r system/Questionnaire.s", "Questionnaire", "rs")]
    [InlineData("system/ValueSet.rs", "Questionnaire", "")]
    public void Permissions_are_read_back_from_a_granted_scope_string(string granted, string resourceType, string expected) =>
        Assert.Equal(expected, SmartScope.FormatV2(SmartScopeGrants.PermissionsFor(granted, resourceType)));

    [Fact]
    public async Task Token_request_is_granted_the_intersection_of_requested_and_allowed_scopes()
    {
        await using var host = await StartAsync();

        var response = await host.RequestTokenAsync(scope: "system/questionnaire.cruds system/Patient.rs system/QuestionnaireResponse.write");

        var body = await AssertTokenIssuedAsync(response);
        Assert.Equal("system/Questionnaire.rs system/QuestionnaireResponse.cu", body.GetProperty("scope").GetString());
    }

    [Fact]
    public async Task V1_token_request_is_answered_with_v1_scopes()
    {
        await using var host = await StartAsync();

        var response = await host.RequestTokenAsync(scope: "system/Questionnaire.read system/ValueSet.read");

        var body = await AssertTokenIssuedAsync(response);
        Assert.Equal("system/Questionnaire.read system/ValueSet.read", body.GetProperty("scope").GetString());
    }
}
