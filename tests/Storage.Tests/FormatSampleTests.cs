using Woodpecker.Storage.Format;
using Xunit;

namespace Woodpecker.Storage.Tests;

/// <summary>
/// Bytes of each format version as it was released (docs/format.md, "Example"). Old versions must stay readable:
/// when a new version is introduced, add its samples here and keep these.
/// </summary>
public sealed class FormatSampleTests
{
    // Segment 7, writer epoch 3: entry 0 = "hello" with property k=v, entry 1 = 00 FF without properties.
    private const string Version1Block =
        "5750424B010030005300000002000000070000000000000000000000000000000300000000000000000000004190E760" +
        "0F0000005BB3C3F6010001006B010000007668656C6C6F" +
        "04000000B6634800000000FF";

    private const string Version1Footer =
        "57504654010000000700000000000000030000000000000002000000000000005300000000000000010000000000000000" +
        "0000000000000000000000000000000200000053000000" +
        "1360B15E";

    // Footer version 2: the same segment stored as one object (object storage), with the object table.
    private const string Version2Footer =
        "575046540200000007000000000000000300000000000000020000000000000053000000000000000100000000000000" +
        "000000000000000000000000000000000200000053000000" +
        "010000003E00626C6F636B732F30303030303030303030303030303030303030302D303030303030303030322D30303030303030" +
        "3030303030303030303030332E626C6B5300000000000000" +
        "58C3FC99";

    private const string SampleObjectName = "blocks/00000000000000000000-0000000002-0000000000000000003.blk";

    [Fact]
    public void Version_1_samples_stay_readable()
    {
        var block = Convert.FromHexString(Version1Block);
        Assert.Equal(new BlockHeader(83, 2, 7, 0, 3), BlockHeader.TryRead(block, out _));
        var entries = TestEntries.DecodeAll(block, 7);
        TestEntries.AssertEqual([new TestEntry("hello"u8.ToArray(), [new("k", "v")]), new TestEntry([0x00, 0xFF], [])], 0, entries);

        var footer = SegmentFooter.TryDecode(Convert.FromHexString(Version1Footer), out var problem);
        Assert.True(footer is not null, problem);
        TestEntries.AssertEqual(new SegmentFooter(7, 3, 2, 83, [new BlockIndexEntry(0, 0, 2, 83)]), footer);
    }

    [Fact]
    public void Version_2_footer_samples_stay_readable()
    {
        var footer = SegmentFooter.TryDecode(Convert.FromHexString(Version2Footer), out var problem);
        Assert.True(footer is not null, problem);
        TestEntries.AssertEqual(new SegmentFooter(7, 3, 2, 83, [new BlockIndexEntry(0, 0, 2, 83)]), footer);
        Assert.Equal([new SegmentObject(SampleObjectName, 83)], footer.Objects);
        Assert.Empty(SegmentFooter.TryDecode(Convert.FromHexString(Version1Footer), out _)!.Objects);
    }

    [Fact]
    public void The_current_versions_write_these_bytes()
    {
        // Holds while blocks are version 1 and footers version 2. A new version changes what is written, not what
        // an old version was.
        Assert.Equal(1, FormatConstants.CurrentVersion);
        Assert.Equal(2, FormatConstants.CurrentFooterVersion);
        var block = TestEntries.Block([new TestEntry("hello"u8.ToArray(), [new("k", "v")]), new TestEntry([0x00, 0xFF], [])], 7, 0, 3);
        Assert.Equal(Version1Block, Convert.ToHexString(block));
        var footer = new SegmentFooter(7, 3, 2, 83, [new BlockIndexEntry(0, 0, 2, 83)]) { Objects = [new SegmentObject(SampleObjectName, 83)] };
        Assert.Equal(Version2Footer, Convert.ToHexString(footer.Encode()));
    }
}
