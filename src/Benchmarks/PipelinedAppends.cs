using System.Diagnostics;
using Woodpecker.Client;

namespace Woodpecker.Benchmarks;

/// <summary>
/// One writer appending a given number of bytes as fast as the log takes them: entries of the payload's size,
/// issued without waiting while fewer than a window of bytes is in flight. Shared by every throughput workload so
/// that they load the log the same way.
/// </summary>
internal static class PipelinedAppends
{
    /// <summary>Appends <paramref name="totalBytes"/> and returns the time until the last one was durable.</summary>
    public static async Task<TimeSpan> RunAsync(
        LogWriter writer, byte[] payload, long totalBytes, long maxInFlightBytes, Action<long, TimeSpan> onDurable, CancellationToken cancellationToken)
    {
        var inFlight = new Queue<(Task<LogPosition> Append, int Bytes)>();
        long pendingBytes = 0, issued = 0, durable = 0;
        var start = Stopwatch.GetTimestamp();
        while (issued < totalBytes)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var size = (int)Math.Min(payload.Length, totalBytes - issued);
            inFlight.Enqueue((writer.AppendAsync(payload.AsMemory(0, size), cancellationToken: cancellationToken), size));
            issued += size;
            pendingBytes += size;

            // Appends complete in order, so waiting for the oldest frees exactly the room it held.
            while (pendingBytes >= maxInFlightBytes)
            {
                var (append, bytes) = inFlight.Dequeue();
                await append.ConfigureAwait(false);
                pendingBytes -= bytes;
                durable += bytes;
                onDurable(durable, Stopwatch.GetElapsedTime(start));
            }
        }

        while (inFlight.TryDequeue(out var rest))
        {
            await rest.Append.ConfigureAwait(false);
        }

        return Stopwatch.GetElapsedTime(start);
    }
}
