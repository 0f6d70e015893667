using System.Text.Json;
using Hl7.Fhir.Model;
using Hl7.Fhir.Validation;
using Hl7.FhirPath;
using FhirExpression = Hl7.Fhir.Model.Expression;
using VaCdsHooks.Coverage.Criteria;
using VaCdsHooks.Coverage.Documentation;
using VaCdsHooks.Coverage.Policy;
using VaCdsHooks.Coverage.Terminology;
using VaCdsHooks.Coverage.Tests.Support;

namespace VaCdsHooks.Coverage.Tests.Documentation;

public class DocumentationQuestionnaireTests
{
    private static string MasterPath => Path.Combine(TestPolicy.FhirResources, "Questionnaire", DocumentationQuestionnaire.FileName);

    private static Questionnaire ParseMaster() => JsonSerializer.Deserialize<Questionnaire>(File.ReadAllText(MasterPath), Dtr.Json)!;

    private static IEnumerable<Questionnaire.ItemComponent> AllItems(Questionnaire q) => q.Item.SelectMany(g => g.Item.Prepend(g));

    [Fact]
    public void Master_questionnaire_parses_strictly_and_passes_poco_validation()
    {
        var questionnaire = ParseMaster();
        Assert.Empty(questionnaire.Validate());
        Assert.Equal(PublicationStatus.Active, questionnaire.Status);
        Assert.False(string.IsNullOrWhiteSpace(questionnaire.Version));
    }

    [Fact]
    public void Master_url_is_the_canonical_the_crd_answer_sends() =>
        Assert.Equal(PolicySettings.Default.QuestionnaireCanonical, Dtr.Master.Url);

    [Fact]
    public void Every_link_id_is_unique()
    {
        var linkIds = AllItems(ParseMaster()).Select(i => i.LinkId).ToList();
        Assert.Equal(linkIds.Count, linkIds.Distinct(StringComparer.Ordinal).Count());
    }

    [Fact]
    public void Every_answerable_item_names_a_known_criterion_and_every_criterion_has_an_item()
    {
        var known = CriteriaEvaluator.All.Select(c => c.Id).ToHashSet(StringComparer.Ordinal);
        foreach (var item in ParseMaster().Item.SelectMany(g => g.Item))
        {
            var criteria = item.Code.Where(c => c.System == CodeSystems.Criterion).Select(c => c.Code!).ToList();
            Assert.NotEmpty(criteria);
            Assert.All(criteria, c => Assert.Contains(c, known));
        }

        var answered = Dtr.Master.Items.SelectMany(i => i.Criteria).ToHashSet(StringComparer.Ordinal);
        Assert.All(known, id => Assert.Contains(id, answered));
    }

    [Fact]
    public void Every_finding_code_on_an_item_is_in_the_finding_code_system()
    {
        var findings = TestPolicy.Default.CodeSystems[CodeSystems.Finding].Concept.Select(c => c.Code).ToHashSet(StringComparer.Ordinal);
        var used = Dtr.Master.Items.Select(i => i.EvidenceCode).Where(c => c?.System == CodeSystems.Finding).ToList();
        Assert.NotEmpty(used);
        Assert.All(used, c => Assert.Contains(c!.Code, findings));
    }

    [Fact]
    public void Every_answer_value_set_resolves_to_a_value_set_file_in_fhir_resources()
    {
        var valueSets = ParseMaster().Item.SelectMany(g => g.Item).Select(i => i.AnswerValueSet).OfType<string>().ToList();
        Assert.NotEmpty(valueSets);
        foreach (var url in valueSets)
        {
            var file = Path.Combine(TestPolicy.FhirResources, "ValueSet", url.Split('/')[^1] + ".json");
            Assert.True(File.Exists(file), url + " has no file");
            Assert.True(TestPolicy.Default.ValueSetResources.ContainsKey(url), url + " is not loaded");
        }
    }

    // DTR: all Questionnaire logic SHALL be CQL (the kit fails a variable or initialExpression in another language).
    [Fact]
    public void Every_initial_expression_is_cql_naming_a_definition_of_the_named_library()
    {
        var questionnaire = ParseMaster();
        Assert.DoesNotContain(questionnaire.Extension, e => e.Url == DtrCodes.VariableUrl);
        var library = Assert.Single(Dtr.Master.Libraries);
        var cql = System.Text.Encoding.UTF8.GetString(library.Content.Single(c => c.ContentType == "text/cql").Data!);
        var expressions = AllItems(questionnaire)
            .SelectMany(i => i.Extension.Where(e => e.Url == DtrCodes.InitialExpressionUrl))
            .Select(e => Assert.IsType<FhirExpression>(e.Value))
            .ToList();
        Assert.True(expressions.Count >= 5);
        foreach (var expression in expressions)
        {
            Assert.Equal("text/cql", expression.Language);
            var parts = expression.Expression_!.Split("\".\"");
            Assert.Equal("\"" + library.Name, parts[0]);
            Assert.Contains("define \"" + parts[1], cql, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void The_questionnaire_names_its_library_by_its_url_and_the_library_carries_cql_and_elm()
    {
        // DTR kit dtr_v201_payer_static_form_extensions_test: every cqf-library equals a Library.url in the package.
        var questionnaire = ParseMaster();
        var named = Assert.Single(questionnaire.Extension, e => e.Url == DtrCodes.CqfLibraryUrl);
        var library = Assert.Single(Dtr.Master.Libraries);
        Assert.Equal(library.Url, Assert.IsType<Canonical>(named.Value).Value);
        Assert.Contains(library.Content, c => c.ContentType == "text/cql");
        Assert.Contains(library.Content, c => c.ContentType == "application/elm+json");
    }

    [Fact]
    public void A_questionnaire_naming_a_library_that_is_not_there_is_rejected_at_load()
    {
        var copy = Path.Combine(Path.GetTempPath(), "vacdshooks-library-" + Guid.NewGuid().ToString("N"));
        CopyDirectory(TestPolicy.FhirResources, copy);
        try
        {
            foreach (var file in Directory.GetFiles(Path.Combine(copy, "Library"), "*.json"))
            {
                File.Delete(file);
            }

            var error = Assert.Throws<PolicyArtifactException>(() => DocumentationQuestionnaire.Load(copy, TestPolicy.Default));
            Assert.Contains("cqf-library", error.Message, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(copy, recursive: true);
        }

        static void CopyDirectory(string from, string to)
        {
            foreach (var directory in Directory.GetDirectories(from, "*", SearchOption.AllDirectories))
            {
                Directory.CreateDirectory(directory.Replace(from, to, StringComparison.Ordinal));
            }

            Directory.CreateDirectory(to);
            foreach (var file in Directory.GetFiles(from, "*", SearchOption.AllDirectories))
            {
                File.Copy(file, file.Replace(from, to, StringComparison.Ordinal));
            }
        }
    }

    [Fact]
    public void Hemangioma_aggressive_features_are_asked_only_when_the_indication_is_a_hemangioma()
    {
        var item = Dtr.Master.Find("indication.hemangioma-aggressive")!.Item;
        var condition = Assert.Single(item.EnableWhen);
        Assert.Equal(DocumentationQuestionnaire.IndicationKindLinkId, condition.Question);
        Assert.Equal("indication-hemangioma", Assert.IsType<Coding>(condition.Answer).Code);
    }

    [Fact]
    public void Sections_follow_the_policy_documentation_requirements()
    {
        var sections = ParseMaster().Item.Select(g => g.LinkId).ToList();
        Assert.Equal(["onset", "pain", "history", "indication", "therapy", "imaging"], sections);
        var activities = TestPolicy.Default.ValueSets.All["http://vacdshooks.example.org/fhir/ValueSet/activities-of-daily-living"].Enumerate()!;
        Assert.Equal(["adl-dressing", "adl-driving", "adl-meals", "adl-walking"], activities.Select(c => c.Code).ToList());
    }

    [Fact]
    public void A_questionnaire_naming_an_unknown_criterion_is_rejected_at_load()
    {
        var questionnaire = ParseMaster();
        questionnaire.Item[0].Item[0].Code[0].Code = "no-such-criterion";
        var error = Assert.Throws<PolicyArtifactException>(() => DocumentationQuestionnaire.From(questionnaire, TestPolicy.Default, "test"));
        Assert.Contains("no-such-criterion", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_questionnaire_that_cannot_ask_which_level_is_treated_is_rejected_at_load()
    {
        var questionnaire = ParseMaster();
        var indication = questionnaire.Item.Single(g => g.LinkId == "indication");
        indication.Item.RemoveAll(i => i.LinkId == DocumentationQuestionnaire.TreatedLevelLinkId);
        var error = Assert.Throws<PolicyArtifactException>(() => DocumentationQuestionnaire.From(questionnaire, TestPolicy.Default, "test"));
        Assert.Contains("no item documents criterion 'treated-level'", error.Message, StringComparison.Ordinal);
        Assert.Contains("reads finding 'treated-level', but no item records it", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_questionnaire_with_a_duplicate_link_id_is_rejected_at_load()
    {
        var questionnaire = ParseMaster();
        questionnaire.Item[1].Item[1].LinkId = questionnaire.Item[1].Item[0].LinkId;
        Assert.Throws<PolicyArtifactException>(() => DocumentationQuestionnaire.From(questionnaire, TestPolicy.Default, "test"));
    }

    [Fact]
    public void A_questionnaire_whose_url_differs_from_the_policy_setting_is_rejected_at_load()
    {
        var policy = TestPolicy.With(s => s.QuestionnaireCanonical = "http://example.org/Questionnaire/other");
        Assert.Throws<PolicyArtifactException>(() => DocumentationQuestionnaire.Load(TestPolicy.FhirResources, policy));
    }

    [Fact]
    public void Finding_code_system_count_matches_its_concepts()
    {
        var codeSystem = TestPolicy.Default.CodeSystems[CodeSystems.Finding];
        Assert.Equal(codeSystem.Concept.Count, codeSystem.Count);
    }
}
