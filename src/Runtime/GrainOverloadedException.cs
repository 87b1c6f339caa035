namespace Woodpecker.Runtime;

/// <summary>
/// The grain's mailbox and its overflow queue are full: the caller sends faster than the grain works.
/// Nothing was delivered; retry later or bound the number of calls in flight.
/// </summary>
public sealed class GrainOverloadedException : Exception
{
    /// <summary>Creates the exception.</summary>
    public GrainOverloadedException(GrainId grain, int limit)
        : base($"Grain {grain} has {limit} calls waiting already; the call was not delivered. " +
               "Reduce the number of calls in flight to this grain, or retry later.")
    {
        Grain = grain;
    }

    /// <summary>The overloaded grain.</summary>
    public GrainId Grain { get; }
}
