using System.Text;
using FsCheck;
using FsCheck.Fluent;
using Woodpecker.Storage.Format;
using Xunit;

namespace Woodpecker.Storage.Tests;

public sealed class Crc32CTests
{
    [Fact]
    public void Known_vectors_match_the_Castagnoli_polynomial()
    {
        Assert.Equal(0xE3069283u, Crc32C.Compute(Encoding.ASCII.GetBytes("123456789")));
        Assert.Equal(0x8A9136AAu, Crc32C.Compute(new byte[32]));
        Assert.Equal(0x62A8AB43u, Crc32C.Compute(Enumerable.Repeat((byte)0xFF, 32).ToArray()));
        Assert.Equal(0x46DD794Eu, Crc32C.Compute(Enumerable.Range(0, 32).Select(i => (byte)i).ToArray()));
        Assert.Equal(0u, Crc32C.Compute([]));
    }

    [Fact]
    public void A_split_computation_equals_the_whole_for_every_split_point()
    {
        var gen =
            from length in Gen.Choose(0, 300)
            from seed in Gen.Choose(0, int.MaxValue)
            from split in Gen.Choose(0, length)
            select (Data: TestEntries.Bytes(seed, length), Split: split);
        Check.One(TestEntries.Property(2000), Prop.ForAll(Arb.From(gen), c =>
        {
            var data = c.Data.AsSpan();
            Assert.Equal(Crc32C.Compute(data), Crc32C.Compute(data[..c.Split], data[c.Split..]));
        }));
    }

    [Fact]
    public void The_eight_byte_fast_path_agrees_with_a_bitwise_reference()
    {
        var gen = from length in Gen.Choose(0, 100) from seed in Gen.Choose(0, int.MaxValue) select TestEntries.Bytes(seed, length);
        Check.One(TestEntries.Property(1000), Prop.ForAll(Arb.From(gen), (byte[] data) => Assert.Equal(Reference(data), Crc32C.Compute(data))));
    }

    private static uint Reference(byte[] data)
    {
        var crc = 0xFFFFFFFFu;
        foreach (var b in data)
        {
            crc ^= b;
            for (var k = 0; k < 8; k++)
            {
                crc = (crc & 1) != 0 ? (crc >> 1) ^ 0x82F63B78u : crc >> 1;
            }
        }

        return ~crc;
    }
}
