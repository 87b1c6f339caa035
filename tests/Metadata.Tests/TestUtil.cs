using System.Text;
using Woodpecker.Metadata.Abstractions;

namespace Woodpecker.Metadata.Tests;

/// <summary>Small helpers shared by the metadata tests.</summary>
internal static class TestUtil
{
    public static byte[] B(string text) => Encoding.UTF8.GetBytes(text);

    public static string S(ReadOnlyMemory<byte> bytes) => Encoding.UTF8.GetString(bytes.Span);

    /// <summary>Orders strings as the store must: by their UTF-8 bytes.</summary>
    public static int CompareUtf8(string a, string b) => B(a).AsSpan().SequenceCompareTo(B(b));

    /// <summary>Polls <paramref name="condition"/> until it holds; fails after <paramref name="timeout"/>.</summary>
    public static async Task WaitUntilAsync(Func<Task<bool>> condition, TimeSpan timeout, string what)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Timed out after {timeout} waiting until {what}.");
            }

            await Task.Delay(50);
        }
    }

    /// <summary>Reads exactly <paramref name="count"/> events from a watch, failing after <paramref name="timeout"/>.</summary>
    public static async Task<List<WatchEvent>> TakeAsync(IAsyncEnumerable<WatchEvent> watch, int count, TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        var events = new List<WatchEvent>();
        try
        {
            await foreach (var e in watch.WithCancellation(cts.Token))
            {
                events.Add(e);
                if (events.Count == count)
                {
                    break;
                }
            }
        }
        catch (OperationCanceledException) when (cts.IsCancellationRequested)
        {
            throw new TimeoutException($"Watch delivered {events.Count} of {count} events within {timeout}: {string.Join(", ", events.Select(Describe))}");
        }

        return events;
    }

    public static string Describe(WatchEvent e) => $"{e.Kind} {e.Item.Key}@{e.Item.ModRevision}";

    /// <summary>Asserts that reading from a watch throws <typeparamref name="T"/> within the timeout.</summary>
    public static async Task<T> WatchThrowsAsync<T>(IAsyncEnumerable<WatchEvent> watch, TimeSpan timeout)
        where T : Exception
    {
        using var cts = new CancellationTokenSource(timeout);
        return await Assert.ThrowsAsync<T>(async () =>
        {
            await foreach (var unused in watch.WithCancellation(cts.Token))
            {
                _ = unused;
            }
        });
    }
}
