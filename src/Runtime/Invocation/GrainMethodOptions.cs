namespace Woodpecker.Runtime.Invocation;

/// <summary>How the runtime schedules and bounds calls to one grain method.</summary>
public sealed record GrainMethodOptions
{
    /// <summary>Default options: a turn of its own, the runtime's default timeout.</summary>
    public static readonly GrainMethodOptions Default = new();

    /// <summary>
    /// When true, a call to this method may start while another call of the same activation is awaiting
    /// (Orleans' [AlwaysInterleave]). Execution stays single-threaded: the calls interleave only at awaits.
    /// Use it for methods that wait for something (durability, new data) without blocking the grain.
    /// </summary>
    public bool AlwaysInterleave { get; init; }

    /// <summary>The call timeout for this method; null uses the runtime's default.</summary>
    public TimeSpan? Timeout { get; init; }
}
