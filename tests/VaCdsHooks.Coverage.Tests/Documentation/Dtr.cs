using System.Text.Json;
using Hl7.Fhir.Model;
using Hl7.Fhir.Serialization;
using VaCdsHooks.Coverage.Documentation;
using VaCdsHooks.Coverage.Tests.Support;

namespace VaCdsHooks.Coverage.Tests.Documentation;

/// <summary>The documentation step wired the way the host wires it: master loaded once, builders over the default policy.</summary>
internal static class Dtr
{
    private static readonly Lazy<DocumentationQuestionnaire> LazyMaster = new(() => DocumentationQuestionnaire.Load(TestPolicy.FhirResources, TestPolicy.Default));

    public static readonly JsonSerializerOptions Json = new JsonSerializerOptions().ForFhir();

    public static DocumentationQuestionnaire Master => LazyMaster.Value;

    public static DocumentationQuestionnaireBuilder Builder { get; } = new(TestPolicy.Default, LazyMaster.Value);

    /// <summary>The DTR kit's examples in <c>../shared</c> beside the repository.</summary>
    public static string DtrFixtures => Path.Combine(TestPolicy.RepositoryRoot, "..", "shared", "fixtures", "dtr-conformance-examples");

    /// <summary>The thoracic kyphoplasty assertion the CRD answer made for this chart.</summary>
    public static CoverageAssertion Assertion(Chart chart) =>
        Engine.Advise(chart, Orders.Procedure("22513")).Assertions.Single();

    public static TailoredQuestionnaire Tailor(Chart chart) => Builder.Build(Assertion(chart), chart.Record());

    public static IReadOnlyList<string> LinkIds(Questionnaire questionnaire) =>
        questionnaire.Item.SelectMany(g => g.Item).Select(i => i.LinkId!).ToList();

    public static string Serialize(Resource resource) => JsonSerializer.Serialize(resource, Json);

    public static T RoundTrip<T>(T resource)
        where T : Resource => JsonSerializer.Deserialize<T>(Serialize(resource), Json)!;
}

/// <summary>A clinician's completed answers to a tailored questionnaire, as a DTR app would send them.</summary>
internal static class Answers
{
    public const string Surgeon = "Practitioner/surgeon";

    /// <summary>
    /// Answers every question of <paramref name="tailored"/> that <paramref name="values"/> names, plus the
    /// pre-filled values left as they were (origin auto); typed answers are manual (or override where a pre-filled
    /// value was changed), with the surgeon as author.
    /// </summary>
    public static QuestionnaireResponse Fill(TailoredQuestionnaire tailored, IReadOnlyDictionary<string, DataType> values, string? questionnaire = null)
    {
        var response = new QuestionnaireResponse
        {
            Id = "qr-1",
            Questionnaire = questionnaire ?? tailored.Canonical,
            Status = QuestionnaireResponse.QuestionnaireResponseStatus.Completed,
            Subject = new ResourceReference("Patient/" + Chart.PatientId),
            Author = new ResourceReference(Surgeon),
            Authored = "2026-11-25T10:00:00Z",
        };
        foreach (var group in tailored.Questionnaire!.Item)
        {
            var section = new QuestionnaireResponse.ItemComponent { LinkId = group.LinkId };
            foreach (var item in group.Item)
            {
                var prefilled = tailored.Prefill.GetValueOrDefault(item.LinkId!);
                var typed = values.GetValueOrDefault(item.LinkId!);
                var value = typed ?? prefilled;
                if (value is null)
                {
                    continue;
                }

                var origin = typed is null ? "auto" : prefilled is null ? "manual" : "override";
                var answer = new QuestionnaireResponse.AnswerComponent { Value = value };
                var originExtension = new Extension { Url = DtrCodes.InformationOriginUrl };
                originExtension.Extension.Add(new Extension("source", new Code(origin)));
                if (origin != "auto")
                {
                    // DTR 2.0.1 shape: author.extension[practitioner].
                    originExtension.Extension.Add(new Extension { Url = "author", Extension = [new Extension("practitioner", new ResourceReference(Surgeon))] });
                }

                answer.Extension.Add(originExtension);
                section.Item.Add(new QuestionnaireResponse.ItemComponent { LinkId = item.LinkId, Answer = [answer] });
            }

            if (section.Item.Count > 0)
            {
                response.Item.Add(section);
            }
        }

        return response;
    }
}
