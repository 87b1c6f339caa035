namespace Woodpecker.Runtime;

/// <summary>A grain's activation failed, so the call could not be delivered. The next call tries a fresh activation.</summary>
public sealed class GrainActivationException : Exception
{
    /// <summary>Creates the exception.</summary>
    public GrainActivationException(GrainId grain, Exception inner)
        : base($"Activating grain {grain} failed: {inner.Message}", inner)
    {
        Grain = grain;
    }

    /// <summary>The grain whose activation failed.</summary>
    public GrainId Grain { get; }
}
