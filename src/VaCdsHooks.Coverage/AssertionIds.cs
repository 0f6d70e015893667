namespace VaCdsHooks.Coverage;

/// <summary>Where coverage-assertion ids, satisfied-PA ids and card uuids come from (tests inject a deterministic one).</summary>
public interface IAssertionIdSource
{
    /// <summary>A unique, opaque coverage-assertion-id.</summary>
    string NewAssertionId();

    /// <summary>A unique prior-authorization number the payer honours later (satisfied-pa-id).</summary>
    string NewSatisfiedPaId();

    /// <summary>A UUID for a card.</summary>
    string NewCardUuid();
}

/// <summary>Random ids: 128-bit GUIDs (assertion ids in "N" format, PA numbers prefixed, card uuids in "D" format). Thread-safe.</summary>
public sealed class RandomAssertionIdSource : IAssertionIdSource
{
    public string NewAssertionId() => Guid.NewGuid().ToString("N");

    public string NewSatisfiedPaId() => "VA" + Guid.NewGuid().ToString("N").ToUpperInvariant();

    public string NewCardUuid() => Guid.NewGuid().ToString("D");
}
