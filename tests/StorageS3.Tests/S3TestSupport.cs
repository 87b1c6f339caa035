using System.Globalization;
using Amazon.S3.Model;
using Woodpecker.Storage.Abstractions;
using Woodpecker.Storage.Format;
using Xunit;

namespace Woodpecker.Storage.S3.Tests;

/// <summary>Deterministic entries and blocks, so tests can check what they read without keeping what they wrote.</summary>
internal static class TestBlocks
{
    /// <summary>The payload of entry <paramref name="entryId"/>: mostly small, every fifth a few KiB.</summary>
    public static byte[] Payload(long entryId)
    {
        var random = new Random(unchecked((int)(entryId * 2654435761L)));
        var payload = new byte[1 + random.Next(entryId % 5 == 0 ? 6_000 : 700)];
        random.NextBytes(payload);
        return payload;
    }

    /// <summary>The properties of entry <paramref name="entryId"/> (every third one has some).</summary>
    public static KeyValuePair<string, string>[]? Properties(long entryId) =>
        entryId % 3 == 0 ? [new("id", entryId.ToString(CultureInfo.InvariantCulture)), new("κλειδί-🔑", "値 ✓")] : null;

    /// <summary>A sealed block of entries [<paramref name="firstEntryId"/>, +<paramref name="count"/>); a copy the test owns.</summary>
    public static byte[] Block(long segmentId, long firstEntryId, int count, long writerEpoch)
    {
        using var builder = new BlockBuilder(256);
        for (var id = firstEntryId; id < firstEntryId + count; id++)
        {
            builder.Add(Payload(id), Properties(id));
        }

        return builder.Seal(segmentId, firstEntryId, writerEpoch).ToArray();
    }

    /// <summary>Asserts that <paramref name="actual"/> is exactly entries [<paramref name="first"/>, +<paramref name="count"/>), in order.</summary>
    public static void AssertEntries(long first, long count, IReadOnlyList<StoredEntry> actual)
    {
        Assert.Equal(Enumerable.Range(0, (int)count).Select(i => first + i), actual.Select(e => e.EntryId));
        foreach (var entry in actual)
        {
            Assert.True(Payload(entry.EntryId).AsSpan().SequenceEqual(entry.Payload), $"entry {entry.EntryId}: payload differs");
            var expected = Properties(entry.EntryId);
            if (expected is null)
            {
                Assert.Null(entry.Properties);
            }
            else
            {
                Assert.NotNull(entry.Properties);
                Assert.Equal(expected.ToDictionary(p => p.Key, p => p.Value), entry.Properties);
            }
        }
    }

    /// <summary>Reads [<paramref name="from"/>, <paramref name="to"/>) call by call, checking each call makes progress.</summary>
    public static async Task<List<StoredEntry>> ReadRangeAsync(ISegmentReader reader, long from, long to, int maxBytes, CancellationToken cancellationToken = default)
    {
        var output = new List<StoredEntry>();
        while (from < to)
        {
            var n = await reader.ReadAsync(from, to, maxBytes, output, cancellationToken);
            Assert.True(n >= 1, $"no progress at entry {from} of [.., {to})");
            from += n;
        }

        return output;
    }
}

/// <summary>Looks at the bucket directly, with the same client settings as the backend, to prove what is stored.</summary>
internal static class BucketView
{
    /// <summary>The keys under <paramref name="options"/>' prefix + <paramref name="under"/>, relative to the prefix, in order.</summary>
    public static async Task<List<string>> ListAsync(S3StorageOptions options, string under = "")
    {
        using var client = S3Clients.Create(options);
        var root = options.KeyPrefix.Length == 0 ? "" : options.KeyPrefix + "/";
        var keys = new List<string>();
        string? continuation = null;
        do
        {
            var page = await client.ListObjectsV2Async(new ListObjectsV2Request { BucketName = options.Bucket, Prefix = root + under, ContinuationToken = continuation });
            keys.AddRange((page.S3Objects ?? []).Select(o => o.Key[root.Length..]));
            continuation = page.IsTruncated == true ? page.NextContinuationToken : null;
        }
        while (continuation is not null);

        keys.Sort(StringComparer.Ordinal);
        return keys;
    }

    /// <summary>Stores an object under the prefix, bypassing the backend (to plant torn or stray objects).</summary>
    public static async Task PutAsync(S3StorageOptions options, string relativeKey, byte[] body)
    {
        using var client = S3Clients.Create(options);
        await client.PutObjectAsync(new PutObjectRequest
        {
            BucketName = options.Bucket,
            Key = options.KeyPrefix + "/" + relativeKey,
            InputStream = new MemoryStream(body),
            UseChunkEncoding = false,
        });
    }

    /// <summary>The folder of a log, relative to the prefix (docs/format.md: logs/LOG_ID/).</summary>
    public static string LogFolder(long logId) => string.Create(CultureInfo.InvariantCulture, $"logs/{logId:D12}/");

    /// <summary>The folder of a segment, relative to the prefix (logs/LOG_ID/SEGMENT_ID/).</summary>
    public static string SegmentFolder(SegmentAddress segment) =>
        LogFolder(segment.LogId) + segment.SegmentId.ToString("D12", CultureInfo.InvariantCulture) + "/";
}

/// <summary>A snapshot of request counters (the live ones keep counting).</summary>
internal readonly record struct Counts(long Puts, long Gets, long Heads, long Lists, long Deletes)
{
    public static Counts Of(StorageRequestCounts counts) => new(counts.Puts, counts.Gets, counts.Heads, counts.Lists, counts.Deletes);

    public static Counts operator -(Counts a, Counts b) => new(a.Puts - b.Puts, a.Gets - b.Gets, a.Heads - b.Heads, a.Lists - b.Lists, a.Deletes - b.Deletes);

    public static Counts operator +(Counts a, Counts b) => new(a.Puts + b.Puts, a.Gets + b.Gets, a.Heads + b.Heads, a.Lists + b.Lists, a.Deletes + b.Deletes);
}
