using Hl7.Fhir.Model;

namespace VaCdsHooks.Coverage.Documentation;

/// <summary>
/// Which of our profile claims a QuestionnaireResponse actually meets. DTR 2.0.1 <c>dtr-questionnaireresponse</c>
/// needs at least one item, intendedUse, and qr-context naming a Coverage and a request (2..*), every answer with
/// information-origin; a draft without items or without an order must not claim it. An adaptive response (its
/// Questionnaire contained) claims SDC <c>sdc-questionnaireresponse-adapt</c>.
/// </summary>
public static class ResponseProfiles
{
    private static readonly string[] Ours = [DtrCodes.QuestionnaireResponseProfile, DtrCodes.SdcAdaptiveResponseProfile];

    /// <summary>Replaces our claims on <paramref name="response"/> by those it meets; claims of others are kept.</summary>
    public static void Reconcile(QuestionnaireResponse response)
    {
        ArgumentNullException.ThrowIfNull(response);
        var claims = (response.Meta?.Profile ?? []).Where(p => !Ours.Contains(p)).ToList();
        if (IsAdaptive(response))
        {
            claims.Add(DtrCodes.SdcAdaptiveResponseProfile);
        }

        if (MeetsDtrQuestionnaireResponse(response))
        {
            claims.Add(DtrCodes.QuestionnaireResponseProfile);
        }

        if (claims.Count == 0 && response.Meta is null)
        {
            return;
        }

        response.Meta ??= new Meta();
        response.Meta.Profile = claims;
    }

    public static bool IsAdaptive(QuestionnaireResponse response) =>
        response.Questionnaire is { } reference && reference.StartsWith('#')
        && response.Contained.OfType<Questionnaire>().Any(q => q.Id == reference[1..]);

    public static bool MeetsDtrQuestionnaireResponse(QuestionnaireResponse response)
    {
        var context = response.GetExtensions(DtrCodes.QrContextUrl).Concat(response.GetExtensions(DtrCodes.QrCoverageUrl))
            .Select(e => (e.Value as ResourceReference)?.Reference ?? string.Empty)
            .ToList();
        var coverage = context.Count(r => r.StartsWith("Coverage/", StringComparison.Ordinal));
        return response.Item.Count > 0
            && response.GetExtensions(DtrCodes.IntendedUseUrl).Any()
            && coverage > 0
            && context.Count > coverage
            && Answers(response.Item).All(a => a.GetExtensions(DtrCodes.InformationOriginUrl).Any());
    }

    private static IEnumerable<QuestionnaireResponse.AnswerComponent> Answers(IEnumerable<QuestionnaireResponse.ItemComponent> items) =>
        items.SelectMany(i => i.Answer.Concat(Answers(i.Item)).Concat(Answers(i.Answer.SelectMany(a => a.Item))));
}
