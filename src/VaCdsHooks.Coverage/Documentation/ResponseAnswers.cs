using System.Globalization;
using Hl7.Fhir.Model;

namespace VaCdsHooks.Coverage.Documentation;

/// <summary>
/// The answers of a QuestionnaireResponse by linkId, and the R4 enableWhen rules over them (operators exists,
/// =, !=, &gt;, &lt;, &gt;=, &lt;=; enableBehavior all/any). A question nobody answered satisfies no condition
/// except <c>exists = false</c>.
/// </summary>
internal sealed class ResponseAnswers
{
    private readonly Dictionary<string, List<DataType>> _answers = new(StringComparer.Ordinal);

    public ResponseAnswers(IEnumerable<QuestionnaireResponse.ItemComponent> items) => Collect(items);

    public IReadOnlyList<DataType> Of(string linkId) => _answers.TryGetValue(linkId, out var values) ? values : [];

    public bool IsAnswered(string linkId) => Of(linkId).Count > 0;

    public bool IsEnabled(Questionnaire.ItemComponent item)
    {
        if (item.EnableWhen.Count == 0)
        {
            return true;
        }

        var results = item.EnableWhen.Select(Holds).ToList();
        return item.EnableBehavior == Questionnaire.EnableWhenBehavior.Any ? results.Any(r => r) : results.All(r => r);
    }

    private bool Holds(Questionnaire.EnableWhenComponent condition)
    {
        var answers = condition.Question is { } question ? Of(question) : [];
        if (condition.Operator == Questionnaire.QuestionnaireItemOperator.Exists)
        {
            return (condition.Answer as FhirBoolean)?.Value == answers.Count > 0;
        }

        return answers.Any(a => Compare(a, condition.Answer) is { } order && condition.Operator switch
        {
            Questionnaire.QuestionnaireItemOperator.Equal => order == 0,
            Questionnaire.QuestionnaireItemOperator.NotEqual => order != 0,
            Questionnaire.QuestionnaireItemOperator.GreaterThan => order > 0,
            Questionnaire.QuestionnaireItemOperator.LessThan => order < 0,
            Questionnaire.QuestionnaireItemOperator.GreaterOrEqual => order >= 0,
            Questionnaire.QuestionnaireItemOperator.LessOrEqual => order <= 0,
            _ => false,
        });
    }

    /// <summary>Orders two answers of the same kind; null when they cannot be compared (then the condition fails).</summary>
    private static int? Compare(DataType answer, DataType? expected) => (answer, expected) switch
    {
        (Coding a, Coding e) => a.System == e.System && a.Code == e.Code ? 0 : 1,
        (FhirBoolean a, FhirBoolean e) => a.Value == e.Value ? 0 : 1,
        (FhirDecimal a, FhirDecimal e) when a.Value is { } x && e.Value is { } y => x.CompareTo(y),
        (FhirDecimal a, Integer e) when a.Value is { } x && e.Value is { } y => x.CompareTo(y),
        (Integer a, Integer e) when a.Value is { } x && e.Value is { } y => x.CompareTo(y),
        (Integer a, FhirDecimal e) when a.Value is { } x && e.Value is { } y => ((decimal)x).CompareTo(y),
        (PrimitiveType a, PrimitiveType e) => string.CompareOrdinal(Convert.ToString(a.JsonValue, CultureInfo.InvariantCulture), Convert.ToString(e.JsonValue, CultureInfo.InvariantCulture)),
        _ => null,
    };

    private void Collect(IEnumerable<QuestionnaireResponse.ItemComponent> items)
    {
        foreach (var item in items)
        {
            if (item.LinkId is { } linkId)
            {
                if (!_answers.TryGetValue(linkId, out var values))
                {
                    _answers[linkId] = values = [];
                }

                values.AddRange(item.Answer.Select(a => a.Value).OfType<DataType>());
            }

            Collect(item.Item);
            Collect(item.Answer.SelectMany(a => a.Item));
        }
    }
}
