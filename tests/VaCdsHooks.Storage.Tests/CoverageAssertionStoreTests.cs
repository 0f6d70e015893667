using VaCdsHooks.Storage.Tests.Infrastructure;

namespace VaCdsHooks.Storage.Tests;

public sealed class CoverageAssertionStoreTests(TestDatabases databases) : IClassFixture<TestDatabases>
{
    [Theory, SqliteStorage, PostgresStorage]
    public async Task Assertion_round_trips_with_its_criteria_in_order(StorageProvider provider)
    {
        var storage = await databases.MigratedAsync(provider);
        var assertion = Samples.Assertion() with
        {
            SatisfiedPaId = "PA-2025-0001",
            DocNeeded = null,
            Criteria =
            [
                new AssertionCriterionRecord { CriterionId = "z-last-alphabetically", Kind = CriterionKind.Inclusion, Status = "met", Explanation = "SpO2 86%", EvidenceReferences = ["Observation/1", "Observation/2"] },
                new AssertionCriterionRecord { CriterionId = "active-smoker", Kind = CriterionKind.Exclusion, Status = "not-met", Explanation = null, EvidenceReferences = [] },
                new AssertionCriterionRecord { CriterionId = "a-first-alphabetically", Kind = CriterionKind.Inclusion, Status = "unknown", Explanation = "No recent test", EvidenceReferences = ["Condition/copd"], Flags = ["competing-pain-generator", "record-gap"] },
            ],
        };
        await storage.Writer.WriteAsync(Samples.Exchange(), [assertion]);

        var stored = await storage.Assertions.FindAsync(assertion.AssertionId);

        Assert.NotNull(stored);
        Assert.Equal(assertion with { Criteria = stored.Criteria }, stored);
        Assert.Equal(assertion.Criteria.Count, stored.Criteria.Count);
        for (var i = 0; i < assertion.Criteria.Count; i++)
        {
            var expected = assertion.Criteria[i];
            var actual = stored.Criteria[i];
            Assert.Equal(expected with { EvidenceReferences = actual.EvidenceReferences, Flags = actual.Flags }, actual);
            Assert.Equal(expected.EvidenceReferences, actual.EvidenceReferences);
            Assert.Equal(expected.Flags, actual.Flags);
        }
    }

    [Theory, SqliteStorage, PostgresStorage]
    public async Task Assertions_of_one_call_keep_their_own_criteria_and_one_without_criteria_is_stored_too(StorageProvider provider)
    {
        var storage = await databases.MigratedAsync(provider);
        var many = Samples.Assertion() with
        {
            Criteria = [.. Enumerable.Range(0, 40).Select(i => new AssertionCriterionRecord { CriterionId = $"criterion-{i:00}", Kind = i % 2 == 0 ? CriterionKind.Inclusion : CriterionKind.Exclusion, Status = "met", Explanation = i % 3 == 0 ? null : $"why {i}", EvidenceReferences = [$"Observation/{i}"] })],
        };
        var none = Samples.Assertion() with { Criteria = [] };
        var one = Samples.Assertion();

        await storage.Writer.WriteAsync(Samples.Exchange(), [many, none, one]);

        var storedMany = await storage.Assertions.FindAsync(many.AssertionId);
        Assert.NotNull(storedMany);
        Assert.Equal(many.Criteria.Select(c => (c.CriterionId, c.Kind, c.Explanation, c.EvidenceReferences.Single())), storedMany.Criteria.Select(c => (c.CriterionId, c.Kind, c.Explanation, c.EvidenceReferences.Single())));
        Assert.Empty((await storage.Assertions.FindAsync(none.AssertionId))!.Criteria);
        Assert.Equal(one.Criteria.Select(c => c.CriterionId), (await storage.Assertions.FindAsync(one.AssertionId))!.Criteria.Select(c => c.CriterionId));
    }

    [Theory, SqliteStorage, PostgresStorage]
    public async Task Unknown_assertion_id_finds_nothing(StorageProvider provider)
    {
        var storage = await databases.MigratedAsync(provider);

        Assert.Null(await storage.Assertions.FindAsync(Samples.Unique("missing")));
    }

    [Theory, SqliteStorage, PostgresStorage]
    public async Task Latest_for_an_order_is_the_newest_assertion_for_that_patient_and_order(StorageProvider provider)
    {
        var storage = await databases.MigratedAsync(provider);
        var patient = $"Patient/{Samples.Unique("p")}";
        var order = $"ServiceRequest/{Samples.Unique("o")}";
        var newest = Samples.Assertion(patientReference: patient, orderReference: order, createdAt: Samples.BaseTime.AddHours(3).ToOffset(TimeSpan.FromHours(-5)));
        // Written out of time order, and with decoys that are newer but for another order or patient.
        await storage.Writer.WriteAsync(Samples.Exchange(), [Samples.Assertion(patientReference: patient, orderReference: order, createdAt: Samples.BaseTime.AddHours(2))]);
        await storage.Writer.WriteAsync(Samples.Exchange(), [newest]);
        await storage.Writer.WriteAsync(Samples.Exchange(), [Samples.Assertion(patientReference: patient, orderReference: order, createdAt: Samples.BaseTime.AddHours(1))]);
        await storage.Writer.WriteAsync(Samples.Exchange(), [Samples.Assertion(patientReference: patient, orderReference: $"ServiceRequest/{Samples.Unique("o")}", createdAt: Samples.BaseTime.AddHours(9))]);
        await storage.Writer.WriteAsync(Samples.Exchange(), [Samples.Assertion(patientReference: $"Patient/{Samples.Unique("p")}", orderReference: order, createdAt: Samples.BaseTime.AddHours(9))]);

        var latest = await storage.Assertions.FindLatestForOrderAsync(patient, order);

        Assert.NotNull(latest);
        Assert.Equal(newest.AssertionId, latest.AssertionId);
        Assert.Equal(newest.CreatedAt, latest.CreatedAt);
        Assert.Single(latest.Criteria);
        Assert.Null(await storage.Assertions.FindLatestForOrderAsync(patient, $"ServiceRequest/{Samples.Unique("none")}"));
    }
}
