using System.Diagnostics;
using System.Security.Cryptography;
using Woodpecker.Storage.Local;

namespace Woodpecker.Benchmarks;

/// <summary>
/// The limits the log is compared with: plain file I/O into a fresh file, each write followed by the very
/// fdatasync call the log's local backend makes (<see cref="NativeFile.DataSync"/>), so both sides pay the same
/// system call. These methods block; run them off the thread pool's hot path.
/// </summary>
public static class RawDisk
{
    /// <summary>
    /// Writes <paramref name="chunkBytes"/> at a time sequentially into a new file at <paramref name="path"/>, each
    /// write followed by fdatasync, until <paramref name="maxBytes"/> are written or <paramref name="timeLimit"/> has
    /// passed (checked after each chunk, so whole chunks are written).
    /// </summary>
    public static RawWriteResult WriteSequential(
        string path, int chunkBytes, long maxBytes, TimeSpan? timeLimit = null, Action<long, TimeSpan>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(chunkBytes);
        var buffer = RandomBytes(chunkBytes);
        using var handle = File.OpenHandle(path, FileMode.CreateNew, FileAccess.Write, FileShare.None);
        long offset = 0;
        var chunks = 0;
        var cpu = CpuTime();
        var start = Stopwatch.GetTimestamp();
        while (offset < maxBytes)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var size = (int)Math.Min(chunkBytes, maxBytes - offset);
            RandomAccess.Write(handle, buffer.AsSpan(0, size), offset);
            NativeFile.DataSync(handle, path);
            offset += size;
            chunks++;
            var elapsed = Stopwatch.GetElapsedTime(start);
            progress?.Invoke(offset, elapsed);
            if (elapsed >= timeLimit)
            {
                break;
            }
        }

        var elapsedTotal = Stopwatch.GetElapsedTime(start);
        return new RawWriteResult(offset, chunks, elapsedTotal, CpuTime() - cpu);
    }

    /// <summary>
    /// Writes <paramref name="entryBytes"/> at a time sequentially into a new file, each write followed by fdatasync,
    /// and records how long each write + fdatasync took (Stopwatch ticks) into <paramref name="ticks"/>. Stops after
    /// <paramref name="count"/> writes, or once <paramref name="timeLimit"/> has passed; returns how many were
    /// recorded. The first <paramref name="warmUp"/> writes are made but not recorded.
    /// </summary>
    public static int MeasureSyncedWrites(
        string path, int entryBytes, long[] ticks, int count, int warmUp = 0, TimeSpan? timeLimit = null,
        Action<int, TimeSpan>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(entryBytes);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(count, ticks.Length);
        var buffer = RandomBytes(entryBytes);
        using var handle = File.OpenHandle(path, FileMode.CreateNew, FileAccess.Write, FileShare.None);
        long offset = 0;
        for (var i = 0; i < warmUp; i++)
        {
            RandomAccess.Write(handle, buffer, offset);
            NativeFile.DataSync(handle, path);
            offset += entryBytes;
        }

        var recorded = 0;
        var start = Stopwatch.GetTimestamp();
        while (recorded < count)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var before = Stopwatch.GetTimestamp();
            RandomAccess.Write(handle, buffer, offset);
            NativeFile.DataSync(handle, path);
            ticks[recorded++] = Stopwatch.GetTimestamp() - before;
            offset += entryBytes;
            var elapsed = Stopwatch.GetElapsedTime(start);
            progress?.Invoke(recorded, elapsed);
            if (elapsed >= timeLimit)
            {
                break;
            }
        }

        return recorded;
    }

    /// <summary>CPU time this process has used so far (every thread, user and kernel).</summary>
    public static TimeSpan CpuTime()
    {
        using var process = Process.GetCurrentProcess();
        return process.TotalProcessorTime;
    }

    /// <summary>Incompressible bytes, so no layer below can make the data smaller than it is.</summary>
    public static byte[] RandomBytes(int length)
    {
        var bytes = new byte[length];
        RandomNumberGenerator.Fill(bytes);
        return bytes;
    }
}
