namespace VaCdsHooks.Coverage.Terminology;

/// <summary>Spinal regions as the policy and the CPT descriptors name them.</summary>
public enum SpinalRegion
{
    Cervical,
    Thoracic,
    Lumbar,
    SacrumCoccyx,
}

public static class SpinalRegionNames
{
    public static string Describe(this SpinalRegion region) => region switch
    {
        SpinalRegion.Cervical => "cervical",
        SpinalRegion.Thoracic => "thoracic",
        SpinalRegion.Lumbar => "lumbar",
        SpinalRegion.SacrumCoccyx => "sacral/coccygeal",
        _ => region.ToString(),
    };

    /// <summary>The regions the policy covers (cervical, thoracic, lumbar vertebral bodies).</summary>
    public static bool IsCoveredRegion(this SpinalRegion region) => region != SpinalRegion.SacrumCoccyx;
}
