using System.Buffers;
using System.IO.Pipelines;
using Google.Protobuf;
using Woodpecker.Transport.Framing;
using Woodpecker.Transport.Tests.Protos;
using Xunit;

namespace Woodpecker.Transport.Tests;

/// <summary>Property-style tests of the codecs: framing, grpc-timeout, grpc-message (seeded randomness, so repeatable).</summary>
public sealed class FramingTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public async Task Frames_split_at_every_byte_boundary_parse_the_same(int seed)
    {
        var random = new Random(seed);
        var messages = Enumerable.Range(0, 3).Select(_ => RandomPing(random)).ToList();
        var bytes = messages.SelectMany(m => GrpcFraming.ToArray(m, int.MaxValue)).ToArray();

        for (var split = 0; split <= bytes.Length; split++)
        {
            var parsed = await ParseAsync([bytes[..split], bytes[split..]]);
            Assert.Equal(messages, parsed);
        }
    }

    [Fact]
    public async Task Frames_fed_one_byte_at_a_time_parse_the_same()
    {
        var random = new Random(7);
        var messages = Enumerable.Range(0, 5).Select(_ => RandomPing(random)).ToList();
        var bytes = messages.SelectMany(m => GrpcFraming.ToArray(m, int.MaxValue)).ToArray();

        var parsed = await ParseAsync(bytes.Select(b => new[] { b }).ToArray());

        Assert.Equal(messages, parsed);
    }

    [Fact]
    public async Task Empty_message_is_a_five_byte_frame()
    {
        var frame = GrpcFraming.ToArray(new Ping(), 100);

        Assert.Equal(new byte[5], frame);
        Assert.Equal([new Ping()], await ParseAsync([frame]));
    }

    [Fact]
    public async Task Oversized_length_is_refused_from_the_prefix_alone()
    {
        // Only the prefix arrives: the limit is checked before anything is buffered.
        var error = await Assert.ThrowsAsync<GrpcStatusException>(() => ParseAsync([[0, 0x10, 0, 0, 0]], maxBytes: 1000, complete: false));

        Assert.Equal(GrpcStatusCode.ResourceExhausted, error.Status);
    }

    [Fact]
    public async Task Compressed_flag_is_unimplemented()
    {
        var error = await Assert.ThrowsAsync<GrpcStatusException>(() => ParseAsync([[1, 0, 0, 0, 0]]));

        Assert.Equal(GrpcStatusCode.Unimplemented, error.Status);
    }

    [Fact]
    public async Task Truncated_frame_is_internal()
    {
        var frame = GrpcFraming.ToArray(new Ping { Text = "abc" }, 100);

        var error = await Assert.ThrowsAsync<GrpcStatusException>(() => ParseAsync([frame[..^1]]));

        Assert.Equal(GrpcStatusCode.Internal, error.Status);
    }

    [Fact]
    public async Task Garbage_payload_is_internal()
    {
        var error = await Assert.ThrowsAsync<GrpcStatusException>(() => ParseAsync([EchoServerFixture.Frame([0xFF, 0xFF, 0xFF])]));

        Assert.Equal(GrpcStatusCode.Internal, error.Status);
    }

    [Fact]
    public void Oversized_message_is_not_written()
    {
        var writer = new ArrayBufferWriter<byte>();

        var error = Assert.Throws<GrpcStatusException>(() => GrpcFraming.Write(writer, new Ping { Text = new string('x', 100) }, 50));

        Assert.Equal(GrpcStatusCode.ResourceExhausted, error.Status);
        Assert.Equal(0, writer.WrittenCount);
    }

    [Theory]
    [InlineData("100m", 100 * TimeSpan.TicksPerMillisecond)]
    [InlineData("5S", 5 * TimeSpan.TicksPerSecond)]
    [InlineData("2M", 2 * TimeSpan.TicksPerMinute)]
    [InlineData("1H", TimeSpan.TicksPerHour)]
    [InlineData("250u", 250 * TimeSpan.TicksPerMicrosecond)]
    [InlineData("1000n", 10)]
    [InlineData("99999999S", 99_999_999 * TimeSpan.TicksPerSecond)]
    public void Timeout_parses(string text, long ticks)
    {
        Assert.True(GrpcTimeout.TryParse(text, out var timeout));
        Assert.Equal(TimeSpan.FromTicks(ticks), timeout);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("S")]
    [InlineData("100")]
    [InlineData("100x")]
    [InlineData("-5S")]
    [InlineData("+5S")]
    [InlineData("123456789S")]
    [InlineData(" 5S")]
    public void Malformed_timeout_is_refused(string? text) => Assert.False(GrpcTimeout.TryParse(text, out _));

    [Fact]
    public void Timeout_round_trips_within_its_unit()
    {
        var random = new Random(11);
        for (var i = 0; i < 2000; i++)
        {
            var timeout = TimeSpan.FromTicks((long)(Math.Pow(10, random.NextDouble() * 16) + 1));
            var text = GrpcTimeout.Format(timeout);

            Assert.InRange(text.Length, 2, 9);
            Assert.True(GrpcTimeout.TryParse(text, out var parsed), text);

            // Rounded up to the finest unit that fits 8 digits: never shorter, at most one unit (1/10^5 relatively) longer.
            Assert.True(parsed >= timeout, $"{timeout} -> {text} -> {parsed}");
            Assert.True(parsed - timeout <= TimeSpan.FromTicks(Math.Max(TimeSpan.TicksPerMicrosecond, timeout.Ticks / 50_000)), $"{timeout} -> {text} -> {parsed}");
        }
    }

    [Theory]
    [InlineData("plain text", "plain text")]
    [InlineData("100%", "100%25")]
    [InlineData("a\r\nb", "a%0D%0Ab")]
    [InlineData("ü", "%C3%BC")]
    public void Message_text_is_percent_encoded(string text, string encoded)
    {
        Assert.Equal(encoded, GrpcMessageText.Encode(text));
        Assert.Equal(text, GrpcMessageText.Decode(encoded));
    }

    [Fact]
    public void Message_text_round_trips()
    {
        var random = new Random(5);
        for (var i = 0; i < 2000; i++)
        {
            var text = RandomText(random);
            var encoded = GrpcMessageText.Encode(text);

            Assert.All(encoded, c => Assert.InRange(c, (char)0x20, (char)0x7E));
            Assert.Equal(text, GrpcMessageText.Decode(encoded));
        }
    }

    [Fact]
    public void Broken_percent_escapes_are_kept_as_text() =>
        Assert.Equal("50% off %zz %4", GrpcMessageText.Decode("50% off %zz %4"));

    private static async Task<List<Ping>> ParseAsync(byte[][] chunks, int maxBytes = int.MaxValue, bool complete = true)
    {
        var pipe = new Pipe();
        var reading = Task.Run(async () =>
        {
            var parsed = new List<Ping>();
            while (await GrpcFraming.ReadAsync(pipe.Reader, Ping.Parser, maxBytes, CancellationToken.None) is { } message)
            {
                parsed.Add(message);
            }

            return parsed;
        });
        foreach (var chunk in chunks)
        {
            await pipe.Writer.WriteAsync(chunk);
        }

        if (complete)
        {
            await pipe.Writer.CompleteAsync();
        }

        return await reading.WaitAsync(TimeSpan.FromSeconds(10));
    }

    private static Ping RandomPing(Random random)
    {
        var payload = new byte[random.Next(0, 300)];
        random.NextBytes(payload);
        return new Ping { Text = RandomText(random), Number = random.Next(), Payload = ByteString.CopyFrom(payload) };
    }

    private static string RandomText(Random random)
    {
        var length = random.Next(0, 20);
        var chars = new List<char>();
        for (var i = 0; i < length; i++)
        {
            switch (random.Next(4))
            {
                case 0: chars.Add((char)random.Next(0x20, 0x7F)); break;
                case 1: chars.Add((char)random.Next(0, 0x20)); break;
                case 2: chars.Add((char)random.Next(0xA0, 0xD7FF)); break;
                default: chars.AddRange(char.ConvertFromUtf32(random.Next(0x10000, 0x10FFFF))); break;
            }
        }

        return new string(chars.ToArray());
    }
}
