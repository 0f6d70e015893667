using Hl7.Fhir.Model;

namespace VaCdsHooks.Coverage.Documentation;

/// <summary>The <c>$next-question</c> answer: the QuestionnaireResponse to return, or the problems with the request.</summary>
public sealed record NextQuestionResult(QuestionnaireResponse? Response, IReadOnlyList<QuestionnaireProblem> Problems)
{
    public bool IsValid => Response is not null;
}

/// <summary>
/// SDC adaptive forms over the tailored Questionnaire (<c>Questionnaire/$next-question</c>): the client sends its
/// in-progress QuestionnaireResponse with the Questionnaire asked so far contained; we append the next section
/// whose questions are enabled by the answers given, one section per call, and mark the response
/// <c>completed</c> when nothing is left. While an enabled required question of an appended section is
/// unanswered, the response comes back as it was. Deterministic, pure.
/// </summary>
public static class NextQuestionEngine
{
    /// <summary>The canonical of the adaptive form of a questionnaire (offered through the package when asked for).</summary>
    public static string AdaptiveUrlOf(string url) => url + "-adaptive";

    /// <summary>
    /// The adaptive Questionnaire a client starts from (contained in its first request), holding the first section
    /// <see cref="Next"/> would serve, so the package already shows its pre-population. SDC
    /// <c>sdc-questionnaire-adapt</c>: no <c>url</c> or <c>version</c> of its own (a one-off for one response);
    /// <c>derivedFrom</c> names the tailored Questionnaire (<c>url|version</c>), and the coverage-assertion identifier
    /// travels with it.
    /// </summary>
    public static Questionnaire AdaptiveShell(Questionnaire tailored)
    {
        ArgumentNullException.ThrowIfNull(tailored);
        var shell = (Questionnaire)tailored.DeepCopy();
        shell.Url = null;
        shell.Version = null;
        shell.DerivedFrom = tailored.Url is { } url ? [tailored.Version is { } version ? url + "|" + version : url] : [];
        shell.Item = FirstSection(tailored) is { } first ? [(Questionnaire.ItemComponent)first.DeepCopy()] : [];
        shell.Meta = new Meta { Profile = [DtrCodes.SdcAdaptiveQuestionnaireProfile] };
        shell.SetExtension(DtrCodes.SdcAdaptiveExtensionUrl, new FhirBoolean(true));
        return shell;
    }

    /// <summary>Whether a contained adaptive Questionnaire was derived from <paramref name="tailored"/> (by <c>derivedFrom</c>, or a legacy <c>url</c>).</summary>
    public static bool IsAdaptiveFormOf(Questionnaire contained, Questionnaire tailored)
    {
        ArgumentNullException.ThrowIfNull(contained);
        ArgumentNullException.ThrowIfNull(tailored);
        var url = tailored.Url ?? string.Empty;
        var namesUs = (string? canonical) => canonical is not null && (canonical == url || canonical.StartsWith(url + "|", StringComparison.Ordinal));
        if (contained.Url is { } own && !namesUs(own) && own != AdaptiveUrlOf(url))
        {
            return false;
        }

        return contained.DerivedFrom.All(namesUs);
    }

    /// <summary>The response with the next section appended to its contained Questionnaire, or why it cannot be.</summary>
    public static NextQuestionResult Next(QuestionnaireResponse response, Questionnaire tailored)
    {
        ArgumentNullException.ThrowIfNull(response);
        ArgumentNullException.ThrowIfNull(tailored);
        var result = (QuestionnaireResponse)response.DeepCopy();
        var contained = ContainedQuestionnaire(result);
        if (contained is null)
        {
            return Invalid(null, "QuestionnaireResponse.questionnaire must reference a contained Questionnaire (adaptive form).");
        }

        if (!IsAdaptiveFormOf(contained, tailored))
        {
            return Invalid(null, $"The contained Questionnaire ({contained.Url ?? string.Join(", ", contained.DerivedFrom)}) is not derived from {tailored.Url}.");
        }

        var answers = new ResponseAnswers(result.Item);
        var asked = contained.Item.Select(g => g.LinkId).OfType<string>().ToHashSet(StringComparer.Ordinal);
        var unknown = asked.Where(a => tailored.Item.All(g => g.LinkId != a)).ToList();
        if (unknown.Count > 0)
        {
            return Invalid(unknown[0], "The contained Questionnaire holds a section the tailored Questionnaire does not have.");
        }

        // The first answers can still be empty: the response then claims only the SDC adaptive profile.
        ResponseProfiles.Reconcile(result);
        var pending = contained.Item
            .SelectMany(g => g.Item)
            .Where(i => i.Required == true && answers.IsEnabled(i) && !answers.IsAnswered(i.LinkId ?? string.Empty))
            .ToList();
        if (pending.Count > 0)
        {
            result.Status = QuestionnaireResponse.QuestionnaireResponseStatus.InProgress;
            return new NextQuestionResult(result, []);
        }

        var next = tailored.Item.FirstOrDefault(g => !asked.Contains(g.LinkId ?? string.Empty) && g.Item.Any(answers.IsEnabled));
        if (next is null)
        {
            result.Status = QuestionnaireResponse.QuestionnaireResponseStatus.Completed;
            return new NextQuestionResult(result, []);
        }

        contained.Item.Add((Questionnaire.ItemComponent)next.DeepCopy());
        contained.SetExtension(DtrCodes.SdcAdaptiveExtensionUrl, new FhirBoolean(true));
        result.Status = QuestionnaireResponse.QuestionnaireResponseStatus.InProgress;
        return new NextQuestionResult(result, []);
    }

    /// <summary>The section <see cref="Next"/> serves first: the first one with a question enabled before any answer.</summary>
    private static Questionnaire.ItemComponent? FirstSection(Questionnaire tailored)
    {
        var noAnswers = new ResponseAnswers([]);
        return tailored.Item.FirstOrDefault(g => g.Item.Any(noAnswers.IsEnabled));
    }

    private static Questionnaire? ContainedQuestionnaire(QuestionnaireResponse response)
    {
        var questionnaires = response.Contained.OfType<Questionnaire>().ToList();
        return response.Questionnaire is { } reference && reference.StartsWith('#')
            ? questionnaires.FirstOrDefault(q => q.Id == reference[1..])
            : questionnaires.Count == 1 ? questionnaires[0] : null;
    }

    private static NextQuestionResult Invalid(string? linkId, string message) => new(null, [new QuestionnaireProblem(linkId, message)]);
}
