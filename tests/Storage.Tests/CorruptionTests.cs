using FsCheck;
using FsCheck.Fluent;
using Woodpecker.Storage.Format;
using Xunit;

namespace Woodpecker.Storage.Tests;

/// <summary>
/// Damaged bytes must never decode to different data: either the checks refuse them through their documented
/// failure path (a null with a reason), or the bytes were not damaged after all (flips that cancel out, overwrites
/// with the same bytes) and they decode to exactly what was written.
/// </summary>
public sealed class CorruptionTests
{
    internal enum Damage
    {
        FlipBits,
        OverwriteRandom,
        OverwriteZeros,
        Truncate,
        Append,
    }

    private const long SegmentId = 77;

    [Fact]
    public void Damaged_blocks_are_refused_or_decode_to_the_original_entries()
    {
        var cases =
            from count in Gen.Choose(1, 8)
            from entries in Gen.ArrayOf(TestEntries.Entry(maxPayload: 2048, maxProperties: 4), count)
            from firstEntryId in Gen.Choose(0, 100_000)
            from damage in Gen.Elements(Damage.FlipBits, Damage.OverwriteRandom, Damage.OverwriteZeros, Damage.Truncate)
            from seed in Gen.Choose(int.MinValue, int.MaxValue)
            select (Entries: entries, FirstEntryId: (long)firstEntryId, Damage: damage, Seed: seed);

        var refused = 0;
        Check.One(TestEntries.Property(4000), Prop.ForAll(cases.ToArbitrary(), c =>
        {
            var original = TestEntries.Block(c.Entries, SegmentId, c.FirstEntryId, writerEpoch: 5);
            var damaged = Apply(original, c.Damage, new Random(c.Seed));

            var header = BlockHeader.TryRead(damaged, out var problem);
            if (header is null)
            {
                Assert.False(string.IsNullOrEmpty(problem));
                refused++;
                return;
            }

            // Backends hand the decoder exactly the header's block length, or what the file has of it.
            var h = header.Value;
            var block = damaged.AsSpan(0, Math.Min(damaged.Length, h.BlockLength));
            if (BlockDecoder.Validate(block, h, SegmentId) is not null)
            {
                refused++;
                return;
            }

            Assert.True(original.AsSpan().SequenceEqual(damaged), $"damaged bytes ({c.Damage}) passed validation");
            var decoded = new List<StoredEntry>();
            BlockDecoder.Decode(block, h, 0, long.MaxValue, decoded);
            TestEntries.AssertEqual(c.Entries, c.FirstEntryId, decoded);
        }));

        // Most damage must actually have been caught, or this test checked nothing.
        Assert.True(refused > 3000, $"only {refused} of 4000 damaged blocks were refused");
    }

    [Fact]
    public void Every_single_bit_flip_and_every_truncation_of_a_block_is_refused()
    {
        var entries = new[] { new TestEntry([1, 2, 3, 4, 5], [new("ключ", "значение")]), new TestEntry([0], []) };
        var original = TestEntries.Block(entries, SegmentId, firstEntryId: 9, writerEpoch: 2);
        for (var bit = 0; bit < original.Length * 8; bit++)
        {
            var damaged = original.ToArray();
            damaged[bit / 8] ^= (byte)(1 << (bit % 8));
            Assert.False(Accepts(damaged), $"flipping bit {bit} went unnoticed");
        }

        for (var length = 0; length < original.Length; length++)
        {
            Assert.False(Accepts(original[..length]), $"truncation to {length} bytes went unnoticed");
        }
    }

    [Fact]
    public void Footers_round_trip()
    {
        Check.One(TestEntries.Property(300), Prop.ForAll(Footer.ToArbitrary(), footer =>
        {
            var decoded = SegmentFooter.TryDecode(footer.Encode(), out var problem);
            Assert.True(decoded is not null, problem);
            TestEntries.AssertEqual(footer, decoded);
        }));
    }

    [Fact]
    public void Damaged_footers_are_refused_or_decode_to_the_original()
    {
        var cases =
            from footer in Footer
            from damage in Gen.Elements(Enum.GetValues<Damage>())
            from seed in Gen.Choose(int.MinValue, int.MaxValue)
            select (Footer: footer, Damage: damage, Seed: seed);

        var refused = 0;
        Check.One(TestEntries.Property(3000), Prop.ForAll(cases.ToArbitrary(), c =>
        {
            var original = c.Footer.Encode();
            var damaged = Apply(original, c.Damage, new Random(c.Seed));
            var decoded = SegmentFooter.TryDecode(damaged, out var problem);
            if (decoded is null)
            {
                Assert.False(string.IsNullOrEmpty(problem));
                refused++;
                return;
            }

            Assert.True(original.AsSpan().SequenceEqual(damaged), $"damaged footer ({c.Damage}) passed validation");
            TestEntries.AssertEqual(c.Footer, decoded);
        }));

        Assert.True(refused > 2500, $"only {refused} of 3000 damaged footers were refused");
    }

    [Fact]
    public void Every_single_bit_flip_and_every_truncation_of_a_footer_is_refused()
    {
        var original = new SegmentFooter(4, 9, 30, 9000, [new(0, 0, 10, 3000), new(3000, 10, 20, 6000)]).Encode();
        for (var bit = 0; bit < original.Length * 8; bit++)
        {
            var damaged = original.ToArray();
            damaged[bit / 8] ^= (byte)(1 << (bit % 8));
            Assert.True(SegmentFooter.TryDecode(damaged, out _) is null, $"flipping bit {bit} went unnoticed");
        }

        for (var length = 0; length < original.Length; length++)
        {
            Assert.True(SegmentFooter.TryDecode(original.AsSpan(0, length), out _) is null, $"truncation to {length} bytes went unnoticed");
        }
    }

    private static Gen<SegmentFooter> Footer =>
        from segmentId in Gen.Choose(0, int.MaxValue)
        from epoch in Gen.Choose(0, int.MaxValue)
        from blockCount in Gen.Choose(0, 40)
        from sizes in Gen.ArrayOf(Gen.Choose(FormatConstants.BlockHeaderSize, 4 << 20), blockCount)
        from counts in Gen.ArrayOf(Gen.Choose(0, 5000), blockCount)
        select MakeFooter(segmentId, epoch, sizes, counts);

    private static SegmentFooter MakeFooter(long segmentId, long epoch, int[] sizes, int[] counts)
    {
        var blocks = new BlockIndexEntry[sizes.Length];
        long offset = 0, entry = 0;
        for (var i = 0; i < blocks.Length; i++)
        {
            blocks[i] = new BlockIndexEntry(offset, entry, counts[i], sizes[i]);
            offset += sizes[i];
            entry += counts[i];
        }

        return new SegmentFooter(segmentId, epoch, entry, offset, blocks);
    }

    private static bool Accepts(byte[] damaged)
    {
        var header = BlockHeader.TryRead(damaged, out _);
        return header is { } h
            && BlockDecoder.Validate(damaged.AsSpan(0, Math.Min(damaged.Length, h.BlockLength)), h, SegmentId) is null;
    }

    private static byte[] Apply(byte[] original, Damage damage, Random random)
    {
        var bytes = original.ToArray();
        switch (damage)
        {
            case Damage.FlipBits:
                for (var i = random.Next(1, 9); i > 0; i--)
                {
                    var bit = random.Next(bytes.Length * 8);
                    bytes[bit / 8] ^= (byte)(1 << (bit % 8));
                }

                return bytes;
            case Damage.OverwriteRandom:
            case Damage.OverwriteZeros:
                var length = random.Next(1, Math.Min(17, bytes.Length + 1));
                var at = random.Next(bytes.Length - length + 1);
                if (damage == Damage.OverwriteZeros)
                {
                    bytes.AsSpan(at, length).Clear();
                }
                else
                {
                    random.NextBytes(bytes.AsSpan(at, length));
                }

                return bytes;
            case Damage.Truncate:
                return bytes[..random.Next(bytes.Length)];
            case Damage.Append:
                var extra = new byte[random.Next(1, 33)];
                random.NextBytes(extra);
                return [.. bytes, .. extra];
            default:
                throw new ArgumentOutOfRangeException(nameof(damage));
        }
    }
}
