using System.Text;
using FsCheck;
using FsCheck.Fluent;
using Woodpecker.Storage.Format;
using Xunit;

namespace Woodpecker.Storage.Tests;

/// <summary>An entry as a test wrote it: payload and properties (distinct keys, in writing order).</summary>
internal sealed record TestEntry(byte[] Payload, IReadOnlyList<KeyValuePair<string, string>> Properties)
{
    public override string ToString() => $"payload {Payload.Length} B, {Properties.Count} properties";
}

/// <summary>Generators and assertions shared by the format and backend tests.</summary>
internal static class TestEntries
{
    /// <summary>FsCheck settings: throw on failure (the message carries the replay seed), and no console noise on success.</summary>
    public static Config Property(int maxTest) => Config.QuickThrowOnFailure.WithMaxTest(maxTest).WithQuietOnSuccess(true);

    /// <summary>Unicode text: ASCII, control characters (NUL included), 2- and 3-byte UTF-8, and supplementary-plane characters.</summary>
    public static Gen<string> Text(int maxRunes) =>
        from length in Gen.Choose(0, maxRunes)
        from runes in Gen.ArrayOf(AnyRune, length)
        select string.Concat(runes.Select(r => r.ToString()));

    /// <summary>Payload sizes from 1 B to 256 KiB, mostly small so that many cases fit in the time budget.</summary>
    public static Gen<int> PayloadSize(int max = 256 * 1024) => Gen.Frequency(
        (6, Gen.Choose(1, Math.Min(64, max))),
        (3, Gen.Choose(1, Math.Min(4096, max))),
        (1, Gen.Choose(1, max)),
        (1, Gen.Constant(max)));

    /// <summary>One entry; the payload's bytes come from a generated seed (generating 256 KiB byte by byte is slow).</summary>
    public static Gen<TestEntry> Entry(int maxPayload = 256 * 1024, int maxProperties = 10) =>
        from size in PayloadSize(maxPayload)
        from seed in Gen.Choose(int.MinValue, int.MaxValue)
        from propertyCount in Gen.Choose(0, maxProperties)
        from keys in Gen.ArrayOf(Text(12), propertyCount)
        from values in Gen.ArrayOf(Text(40), propertyCount)
        select new TestEntry(
            Bytes(seed, size),
            keys.Zip(values, (k, v) => new KeyValuePair<string, string>(k, v)).DistinctBy(p => p.Key, StringComparer.Ordinal).ToArray());

    public static byte[] Bytes(int seed, int size)
    {
        var bytes = new byte[size];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    /// <summary>A deterministic entry for a given id, so backend tests can check what they read without keeping it.</summary>
    public static TestEntry ForId(long entryId)
    {
        var random = new Random(unchecked((int)(entryId * 2654435761L)));
        var payload = new byte[1 + random.Next(entryId % 7 == 0 ? 20_000 : 1_500)];
        random.NextBytes(payload);
        KeyValuePair<string, string>[] properties = entryId % 3 == 0
            ? [new("id", entryId.ToString(System.Globalization.CultureInfo.InvariantCulture)), new("κλειδί-🔑", "値\u0000 ✓")]
            : [];
        return new TestEntry(payload, properties);
    }

    /// <summary>Builds and seals one block; returns a copy the test owns.</summary>
    public static byte[] Block(IEnumerable<TestEntry> entries, long segmentId, long firstEntryId, long writerEpoch)
    {
        using var builder = new BlockBuilder(256);
        foreach (var entry in entries)
        {
            builder.Add(entry.Payload, entry.Properties.Count == 0 ? null : entry.Properties.ToArray());
        }

        return builder.Seal(segmentId, firstEntryId, writerEpoch).ToArray();
    }

    /// <summary>Validates and decodes a whole block the way the backends do; fails the test if it does not check out.</summary>
    public static List<StoredEntry> DecodeAll(ReadOnlySpan<byte> block, long segmentId)
    {
        var header = BlockHeader.TryRead(block, out var problem);
        Assert.True(header.HasValue, problem);
        Assert.Null(BlockDecoder.Validate(block, header.Value, segmentId));
        var output = new List<StoredEntry>();
        BlockDecoder.Decode(block, header.Value, 0, long.MaxValue, output);
        return output;
    }

    public static void AssertEqual(TestEntry expected, long expectedId, StoredEntry actual)
    {
        Assert.Equal(expectedId, actual.EntryId);
        Assert.True(expected.Payload.AsSpan().SequenceEqual(actual.Payload), $"entry {expectedId}: payload differs ({expected.Payload.Length} B written, {actual.Payload.Length} B read)");
        if (expected.Properties.Count == 0)
        {
            Assert.Null(actual.Properties);
            return;
        }

        Assert.NotNull(actual.Properties);
        Assert.Equal(expected.Properties.Count, actual.Properties.Count);
        foreach (var (key, value) in expected.Properties)
        {
            Assert.True(actual.Properties.TryGetValue(key, out var read), $"entry {expectedId}: property '{key}' missing");
            Assert.Equal(value, read);
        }
    }

    public static void AssertEqual(IReadOnlyList<TestEntry> expected, long firstId, IReadOnlyList<StoredEntry> actual)
    {
        Assert.Equal(expected.Count, actual.Count);
        for (var i = 0; i < expected.Count; i++)
        {
            AssertEqual(expected[i], firstId + i, actual[i]);
        }
    }

    public static void AssertEqual(SegmentFooter expected, SegmentFooter? actual)
    {
        Assert.NotNull(actual);
        Assert.Equal(expected.SegmentId, actual.SegmentId);
        Assert.Equal(expected.WriterEpoch, actual.WriterEpoch);
        Assert.Equal(expected.EntryCount, actual.EntryCount);
        Assert.Equal(expected.DataLength, actual.DataLength);
        Assert.Equal(expected.Blocks, actual.Blocks);
    }

    private static Gen<Rune> AnyRune => Gen.Frequency(
        (6, Gen.Choose(0x20, 0x7E)),
        (1, Gen.Choose(0x00, 0x1F)),
        (2, Gen.Choose(0x80, 0x7FF)),
        (2, Gen.Choose(0x800, 0xD7FF)),
        (1, Gen.Choose(0xE000, 0xFFFD)),
        (2, Gen.Choose(0x10000, 0x10FFFF))).Select(v => new Rune(v));
}
