using System.Net;
using System.Text;
using Hl7.Fhir.Model;

namespace VaCdsHooks.Coverage.Documentation;

/// <summary>
/// Makes a Questionnaire render on its own: short answer lists become <c>answerOption</c>s (LHC-Forms and other
/// renderers then need no terminology server; longer lists stay <c>answerValueSet</c>, served by
/// <c>ValueSet/$expand</c>), an item never carries both <c>initial</c> and <c>initialExpression</c> (SDC: the
/// expression wins; the payer's values travel in the draft QuestionnaireResponse), and the resource has a
/// narrative (dom-6).
/// </summary>
public static class QuestionnaireRendering
{
    /// <summary>Renders <paramref name="questionnaire"/> in place and returns it.</summary>
    public static Questionnaire Render(Questionnaire questionnaire, ValueSetExpansion valueSets)
    {
        ArgumentNullException.ThrowIfNull(questionnaire);
        ArgumentNullException.ThrowIfNull(valueSets);
        foreach (var item in All(questionnaire.Item))
        {
            if (item.AnswerValueSet is { } url && valueSets.Codes(url) is { Count: < QuestionnairePackageBuilder.MaxExpandedCodes } codes)
            {
                item.AnswerOption = codes.Select(c => new Questionnaire.AnswerOptionComponent { Value = new Coding(c.System, c.Code, c.Display) }).ToList();
                item.AnswerValueSet = null;
            }
            else if (item.AnswerValueSet is { } listUrl && !listUrl.Contains('|', StringComparison.Ordinal) && valueSets.Find(listUrl)?.Version is { } version)
            {
                // DTR: references inside a package are version-specific.
                item.AnswerValueSet = listUrl + "|" + version;
            }

            if (item.Initial.Count > 0 && item.GetExtension(DtrCodes.InitialExpressionUrl) is not null)
            {
                item.Initial = [];
            }
        }

        questionnaire.Text = Narrative(questionnaire);
        return questionnaire;
    }

    /// <summary>A generated narrative: the title and the sections with their questions.</summary>
    public static Narrative Narrative(Questionnaire questionnaire)
    {
        ArgumentNullException.ThrowIfNull(questionnaire);
        var html = new StringBuilder("<div xmlns=\"http://www.w3.org/1999/xhtml\">");
        html.Append("<p><b>").Append(Encode(questionnaire.Title ?? questionnaire.Name ?? "Questionnaire")).Append("</b>");
        if (questionnaire.Version is { } version)
        {
            html.Append(" (version ").Append(Encode(version)).Append(')');
        }

        html.Append("</p>");
        foreach (var section in questionnaire.Item)
        {
            html.Append("<p>").Append(Encode(section.Text ?? section.LinkId ?? string.Empty)).Append("</p>");
            if (section.Item.Count > 0)
            {
                html.Append("<ul>");
                foreach (var question in section.Item)
                {
                    html.Append("<li>").Append(Encode(question.Text ?? question.LinkId ?? string.Empty)).Append("</li>");
                }

                html.Append("</ul>");
            }
        }

        html.Append("</div>");
        return new Narrative { Status = Hl7.Fhir.Model.Narrative.NarrativeStatus.Generated, Div = html.ToString() };
    }

    private static string Encode(string text) => WebUtility.HtmlEncode(text);

    private static IEnumerable<Questionnaire.ItemComponent> All(IEnumerable<Questionnaire.ItemComponent> items) =>
        items.SelectMany(i => All(i.Item).Prepend(i));
}
