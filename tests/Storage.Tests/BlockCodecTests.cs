using System.Buffers.Binary;
using FsCheck;
using FsCheck.Fluent;
using Woodpecker.Storage.Format;
using Xunit;

namespace Woodpecker.Storage.Tests;

public sealed class BlockCodecTests
{
    private sealed record BlockCase(TestEntry[] First, TestEntry[] Second, long SegmentId, long FirstEntryId, long Epoch, int From, int To)
    {
        public override string ToString() =>
            $"segment {SegmentId}, first entry {FirstEntryId}, epoch {Epoch}, blocks of {First.Length} and {Second.Length} entries, range [{From}, {To}) relative";
    }

    [Fact]
    public void Sealed_blocks_decode_to_exactly_the_entries_and_ids_written()
    {
        var cases =
            from first in Gen.Choose(1, 12).SelectMany(n => Gen.ArrayOf(TestEntries.Entry(), n))
            from second in Gen.Choose(0, 6).SelectMany(n => Gen.ArrayOf(TestEntries.Entry(maxPayload: 4096), n))
            from segmentId in Gen.Choose(0, int.MaxValue).Select(v => (long)v * 4099)
            from firstEntryId in Gen.Frequency((1, Gen.Constant(0L)), (3, Gen.Choose(0, int.MaxValue).Select(v => (long)v * 1021)))
            from epoch in Gen.Choose(0, int.MaxValue).Select(v => (long)v << 20)
            from rangeFrom in Gen.Choose(-2, first.Length + 2)
            from rangeTo in Gen.Choose(-2, first.Length + 2)
            select new BlockCase(first, second, segmentId, firstEntryId, epoch, rangeFrom, rangeTo);

        Check.One(TestEntries.Property(150), Prop.ForAll(cases.ToArbitrary(), c =>
        {
            // One builder for two blocks: Reset must leave nothing of the first block in the second.
            using var builder = new BlockBuilder(1024);
            foreach (var entry in c.First)
            {
                builder.Add(entry.Payload, entry.Properties.Count == 0 ? null : entry.Properties.ToArray());
            }

            Assert.Equal(c.First.Length, builder.EntryCount);
            var block = builder.Seal(c.SegmentId, c.FirstEntryId, c.Epoch).ToArray();
            Assert.Equal(block.Length, builder.Length);
            CheckBlock(block, c.First, c);

            builder.Reset();
            Assert.True(builder.IsEmpty);
            foreach (var entry in c.Second)
            {
                builder.Add(entry.Payload, entry.Properties);
            }

            var next = builder.Seal(c.SegmentId, c.FirstEntryId + c.First.Length, c.Epoch).ToArray();
            var decoded = TestEntries.DecodeAll(next, c.SegmentId);
            TestEntries.AssertEqual(c.Second, c.FirstEntryId + c.First.Length, decoded);
        }));
    }

    [Fact]
    public void An_empty_block_is_valid_and_decodes_to_nothing()
    {
        var block = TestEntries.Block([], segmentId: 3, firstEntryId: 10, writerEpoch: 1);
        Assert.Equal(FormatConstants.BlockHeaderSize, block.Length);
        Assert.Empty(TestEntries.DecodeAll(block, 3));
    }

    [Fact]
    public void Header_bytes_are_laid_out_as_documented()
    {
        var entry = new TestEntry([1, 2, 3], [new("k", "v")]);
        var block = TestEntries.Block([entry], segmentId: 0x0102030405060708, firstEntryId: 42, writerEpoch: 7);
        var span = block.AsSpan();

        Assert.Equal("WPBK"u8.ToArray(), span[..4].ToArray());
        Assert.Equal(1, BinaryPrimitives.ReadUInt16LittleEndian(span[4..]));
        Assert.Equal(48, BinaryPrimitives.ReadUInt16LittleEndian(span[6..]));
        Assert.Equal(block.Length, BinaryPrimitives.ReadInt32LittleEndian(span[8..]));
        Assert.Equal(1, BinaryPrimitives.ReadInt32LittleEndian(span[12..]));
        Assert.Equal(0x0102030405060708, BinaryPrimitives.ReadInt64LittleEndian(span[16..]));
        Assert.Equal(42, BinaryPrimitives.ReadInt64LittleEndian(span[24..]));
        Assert.Equal(7, BinaryPrimitives.ReadInt64LittleEndian(span[32..]));
        Assert.Equal(0u, BinaryPrimitives.ReadUInt32LittleEndian(span[40..]));
        Assert.Equal(Crc32C.Compute(span[..44]), BinaryPrimitives.ReadUInt32LittleEndian(span[44..]));

        // Record: body length, CRC over the length bytes and the body, property count, "k" (u16 length), "v" (u32 length), payload.
        var record = span[48..];
        var bodyLength = BinaryPrimitives.ReadInt32LittleEndian(record);
        Assert.Equal(2 + (2 + 1) + (4 + 1) + 3, bodyLength);
        Assert.Equal(48 + 8 + bodyLength, block.Length);
        Assert.Equal(Crc32C.Compute(record[..4], record.Slice(8, bodyLength)), BinaryPrimitives.ReadUInt32LittleEndian(record[4..]));
        Assert.Equal(new byte[] { 1, 0, 1, 0, (byte)'k', 1, 0, 0, 0, (byte)'v', 1, 2, 3 }, record.Slice(8, bodyLength).ToArray());
    }

    [Theory]
    [InlineData(0)]
    [InlineData(2)]
    [InlineData(ushort.MaxValue)]
    public void Headers_of_unknown_versions_are_refused_with_a_clear_reason(int version)
    {
        var block = TestEntries.Block([new TestEntry([9], [])], segmentId: 1, firstEntryId: 0, writerEpoch: 1);
        BinaryPrimitives.WriteUInt16LittleEndian(block.AsSpan(4), (ushort)version);
        BinaryPrimitives.WriteUInt32LittleEndian(block.AsSpan(44), Crc32C.Compute(block.AsSpan(0, 44)));

        Assert.Null(BlockHeader.TryRead(block, out var problem));
        Assert.Contains($"version {version} is not supported", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void A_block_of_another_segment_is_refused()
    {
        var block = TestEntries.Block([new TestEntry([9], [])], segmentId: 1, firstEntryId: 0, writerEpoch: 1);
        var header = BlockHeader.TryRead(block, out _)!.Value;
        Assert.Contains("segment 1", BlockDecoder.Validate(block, header, 2), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(-1, 0)]
    [InlineData(+1, 0)]
    [InlineData(0, +1)]
    [InlineData(0, -1)]
    public void A_header_that_disagrees_with_its_records_is_refused(int entryCountDelta, int lengthDelta)
    {
        // Even with a correct header checksum (a buggy or hostile writer), counts and lengths must match exactly.
        var block = TestEntries.Block([new TestEntry([1, 2], []), new TestEntry([3], [new("a", "b")])], segmentId: 1, firstEntryId: 0, writerEpoch: 1);
        var original = BlockHeader.TryRead(block, out _)!.Value;
        var forged = original with { EntryCount = original.EntryCount + entryCountDelta, BlockLength = original.BlockLength + lengthDelta };
        var bytes = new byte[forged.BlockLength];
        block.AsSpan(0, Math.Min(block.Length, bytes.Length)).CopyTo(bytes);
        forged.WriteTo(bytes);

        var header = BlockHeader.TryRead(bytes, out var problem);
        Assert.True(header.HasValue, problem);
        Assert.NotNull(BlockDecoder.Validate(bytes, header.Value, 1));
    }

    private static void CheckBlock(byte[] block, TestEntry[] entries, BlockCase c)
    {
        var header = BlockHeader.TryRead(block, out var problem);
        Assert.True(header.HasValue, problem);
        var h = header.Value;
        Assert.Equal(new BlockHeader(block.Length, entries.Length, c.SegmentId, c.FirstEntryId, c.Epoch), h);
        Assert.Null(BlockDecoder.Validate(block, h, c.SegmentId));

        var all = new List<StoredEntry>();
        var bytes = BlockDecoder.Decode(block, h, c.FirstEntryId, c.FirstEntryId + entries.Length, all);
        TestEntries.AssertEqual(entries, c.FirstEntryId, all);
        Assert.Equal(entries.Sum(e => (long)e.Payload.Length), bytes);

        // A [from, to) range gives exactly that slice of the block, clipped to it; the output list is appended to.
        var from = c.FirstEntryId + c.From;
        var to = c.FirstEntryId + c.To;
        var sentinel = new StoredEntry(-1, [], null);
        var slice = new List<StoredEntry> { sentinel };
        var sliceBytes = BlockDecoder.Decode(block, h, from, to, slice);
        var lo = Math.Clamp(c.From, 0, entries.Length);
        var hi = Math.Clamp(c.To, lo, entries.Length);
        Assert.Same(sentinel, slice[0]);
        TestEntries.AssertEqual(entries[lo..hi], c.FirstEntryId + lo, slice[1..]);
        Assert.Equal(entries[lo..hi].Sum(e => (long)e.Payload.Length), sliceBytes);
    }
}
