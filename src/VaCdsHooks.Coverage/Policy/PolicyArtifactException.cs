namespace VaCdsHooks.Coverage.Policy;

/// <summary>A policy artifact (ValueSet, CodeSystem) is missing or malformed; the service must not start with it.</summary>
public sealed class PolicyArtifactException : Exception
{
    public PolicyArtifactException(string message)
        : base(message)
    {
    }

    public PolicyArtifactException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
