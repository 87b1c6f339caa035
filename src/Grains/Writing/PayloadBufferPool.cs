using System.Collections.Concurrent;
using System.Numerics;

namespace Woodpecker.Grains.Writing;

/// <summary>
/// Buffers for appended payloads between the caller's AppendAsync and the moment the segment grain has copied them
/// into a block. A busy writer keeps up to its pending budget (tens of MiB) of these alive at once, more than
/// <see cref="System.Buffers.ArrayPool{T}.Shared"/> retains, and allocating them instead would promote megabytes
/// per second into older GC generations. This pool keeps what writers actually use, up to a byte cap, and lets a
/// size class go once it has not been used for a trim interval, so idle processes return to their baseline.
/// </summary>
internal sealed class PayloadBufferPool
{
    private const int MinClassBits = 8; // 256 B
    private const int MaxClassBits = 23; // 8 MiB

    private readonly SizeClass[] _classes;
    private readonly long _maxRetainedBytes;
    private long _retainedBytes;

    public PayloadBufferPool(long maxRetainedBytes, TimeSpan trimInterval, TimeProvider time)
    {
        _maxRetainedBytes = maxRetainedBytes;
        _classes = new SizeClass[MaxClassBits - MinClassBits + 1];
        for (var i = 0; i < _classes.Length; i++)
        {
            _classes[i] = new SizeClass(1 << (i + MinClassBits));
        }

        // The timer lives as long as the process-wide pool; it holds no reference that would keep anything else alive.
        time.CreateTimer(static state => ((PayloadBufferPool)state!).Trim(), this, trimInterval, trimInterval);
    }

    /// <summary>The process-wide pool: 64 MiB cap, unused size classes dropped after 10 s.</summary>
    public static PayloadBufferPool Shared { get; } = new(64L * 1024 * 1024, TimeSpan.FromSeconds(10), TimeProvider.System);

    /// <summary>Bytes held by the pool right now.</summary>
    public long RetainedBytes => Interlocked.Read(ref _retainedBytes);

    /// <summary>A buffer of at least <paramref name="length"/> bytes.</summary>
    public byte[] Rent(int length)
    {
        var index = ClassIndex(length);
        if (index < 0)
        {
            return GC.AllocateUninitializedArray<byte>(length); // larger than any class: not pooled
        }

        var sizeClass = _classes[index];
        sizeClass.Used = true;
        if (sizeClass.Buffers.TryPop(out var buffer))
        {
            Interlocked.Add(ref _retainedBytes, -buffer.Length);
            return buffer;
        }

        return GC.AllocateUninitializedArray<byte>(sizeClass.Length);
    }

    /// <summary>Takes a buffer back; drops it when the pool is full or it did not come from here.</summary>
    public void Return(byte[] buffer)
    {
        var index = ClassIndex(buffer.Length);
        if (index < 0 || _classes[index].Length != buffer.Length)
        {
            return;
        }

        if (Interlocked.Add(ref _retainedBytes, buffer.Length) > _maxRetainedBytes)
        {
            Interlocked.Add(ref _retainedBytes, -buffer.Length);
            return;
        }

        _classes[index].Buffers.Push(buffer);
    }

    /// <summary>Drops every size class that was not rented from since the last trim.</summary>
    public void Trim()
    {
        foreach (var sizeClass in _classes)
        {
            if (!sizeClass.Used)
            {
                while (sizeClass.Buffers.TryPop(out var dropped))
                {
                    Interlocked.Add(ref _retainedBytes, -dropped.Length);
                }
            }

            sizeClass.Used = false;
        }
    }

    private static int ClassIndex(int length)
    {
        var bits = length <= 1 << MinClassBits ? MinClassBits : 32 - BitOperations.LeadingZeroCount((uint)length - 1);
        return bits > MaxClassBits ? -1 : bits - MinClassBits;
    }

    private sealed class SizeClass(int length)
    {
        public int Length { get; } = length;

        public ConcurrentStack<byte[]> Buffers { get; } = new();

        public volatile bool Used;
    }
}
