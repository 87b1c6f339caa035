namespace Woodpecker.Benchmarks;

/// <summary>What a raw write run did.</summary>
/// <param name="Bytes">Bytes written and synced.</param>
/// <param name="Chunks">Writes (each followed by one fdatasync).</param>
/// <param name="Elapsed">From the first write to the end of the last fdatasync.</param>
/// <param name="CpuTime">CPU time the whole process used meanwhile.</param>
public readonly record struct RawWriteResult(long Bytes, int Chunks, TimeSpan Elapsed, TimeSpan CpuTime)
{
    /// <summary>Throughput in MB/s.</summary>
    public double MegabytesPerSecond => Units.MegabytesPerSecond(Bytes, Elapsed);

    /// <summary>Mean time of one write + fdatasync, in milliseconds.</summary>
    public double MillisecondsPerChunk => Chunks == 0 ? 0 : Elapsed.TotalMilliseconds / Chunks;
}
