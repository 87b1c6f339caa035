using Woodpecker.Errors;
using Woodpecker.Naming;
using Xunit;

namespace Woodpecker.Client.Tests;

public sealed class BadInputTests
{
    public static TheoryData<string> HostileNames => new()
    {
        "",
        "..",
        ".",
        "../etc",
        "a/b",
        "a\\b",
        "/abs",
        "a\0b",
        "tab\there",
        "new\nline",
        " leading",
        "-dash-first",
        "ünïcode",
        new string('x', LogNames.MaxLength + 1),
    };

    [Theory]
    [MemberData(nameof(HostileNames))]
    public async Task Invalid_or_hostile_log_names_are_refused_everywhere_and_create_nothing(string name)
    {
        using var dir = new TempDirectory();
        await using var client = await Clients.Start(dir.Path);

        await Assert.ThrowsAsync<InvalidLogNameException>(() => client.CreateLogAsync(name));
        await Assert.ThrowsAsync<InvalidLogNameException>(() => client.OpenLogAsync(name));
        await Assert.ThrowsAsync<InvalidLogNameException>(() => client.LogExistsAsync(name));
        await Assert.ThrowsAsync<InvalidLogNameException>(() => client.DeleteLogAsync(name));

        var logs = new List<LogDescription>();
        await foreach (var log in client.ListLogsAsync())
        {
            logs.Add(log);
        }

        Assert.Empty(logs);
        Assert.False(Directory.Exists(Path.Combine(dir.Path, "etc")));
    }

    [Fact]
    public async Task The_longest_allowed_name_works()
    {
        using var dir = new TempDirectory();
        await using var client = await Clients.Start(dir.Path);
        var name = new string('n', LogNames.MaxLength);

        var log = await client.CreateLogAsync(name);
        Assert.Equal(name, log.Name);
    }

    [Fact]
    public async Task Bad_payloads_are_refused_and_leave_the_writer_and_the_log_unchanged()
    {
        using var dir = new TempDirectory();
        await using var client = await Clients.Start(dir.Path, o => o.Log.EntryLimits = new EntryLimits { MaxPayloadBytes = 1024 });
        var log = await client.CreateLogAsync("strict");
        await using var writer = await log.OpenWriterAsync();
        await writer.AppendAsync(Clients.Bytes("first"));

        await Assert.ThrowsAsync<InvalidPayloadException>(() => writer.AppendAsync(ReadOnlyMemory<byte>.Empty));
        await Assert.ThrowsAsync<InvalidPayloadException>(() => writer.AppendAsync(new byte[1025]));
        await Assert.ThrowsAsync<InvalidPayloadException>(() => writer.AppendAsync(Clients.Bytes("x"), new Dictionary<string, string> { [""] = "v" }));
        await Assert.ThrowsAsync<InvalidPayloadException>(() => writer.AppendAsync(Clients.Bytes("x"), new Dictionary<string, string> { [new string('k', 300)] = "v" }));

        Assert.Equal(new LogPosition(0, 1), await writer.AppendAsync(new byte[1024]));
        await writer.FlushAsync();
        Assert.Equal(2, (await Clients.ReadAll(log)).Count);
    }

    [Fact]
    public async Task Properties_round_trip()
    {
        using var dir = new TempDirectory();
        await using var client = await Clients.Start(dir.Path);
        var log = await client.CreateLogAsync("props");
        await using (var writer = await log.OpenWriterAsync())
        {
            await writer.AppendAsync(Clients.Bytes("p"), new Dictionary<string, string> { ["trace-id"] = "abc", ["ünïcode"] = "✓" });
        }

        var message = Assert.Single(await Clients.ReadAll(log));
        Assert.Equal("abc", message.Properties["trace-id"]);
        Assert.Equal("✓", message.Properties["ünïcode"]);
    }

    [Fact]
    public async Task Positions_that_do_not_exist_are_refused_with_typed_errors()
    {
        using var dir = new TempDirectory();
        await using var client = await Clients.Start(dir.Path);
        var log = await client.CreateLogAsync("positions");
        await using (var writer = await log.OpenWriterAsync())
        {
            for (var i = 0; i < 5; i++)
            {
                await writer.AppendAsync(Clients.Bytes($"e{i}"));
            }
        }

        await Assert.ThrowsAsync<PositionNotFoundException>(() => log.OpenReaderAsync(ReadStart.At(new LogPosition(0, 6))));
        await Assert.ThrowsAsync<PositionNotFoundException>(() => log.OpenReaderAsync(ReadStart.At(new LogPosition(7, 0))));
        await Assert.ThrowsAsync<PositionNotFoundException>(() => log.OpenReaderAsync(ReadStart.At(new LogPosition(-1, 0))));
        await Assert.ThrowsAsync<PositionNotFoundException>(() => log.TruncateAsync(new LogPosition(0, 5)));
        await Assert.ThrowsAsync<PositionNotFoundException>(() => log.TruncateAsync(new LogPosition(3, 0)));

        // The next position after the end is a valid place to start reading.
        await using var reader = await log.OpenReaderAsync(ReadStart.At(new LogPosition(0, 5)), new LogReaderOptions { Follow = false });
        Assert.Null(await log.GetTruncationPointAsync());
    }

    [Fact]
    public void Position_and_start_parsing_reject_malformed_text()
    {
        Assert.Equal(new LogPosition(3, 42), LogPosition.Parse("3:42"));
        Assert.Throws<FormatException>(() => LogPosition.Parse("3"));
        Assert.Throws<FormatException>(() => LogPosition.Parse("-1:2"));
        Assert.Throws<FormatException>(() => LogPosition.Parse("a:b"));
        Assert.Equal(ReadStart.Earliest, ReadStart.Parse("EARLIEST"));
        Assert.Throws<FormatException>(() => ReadStart.Parse("yesterday"));
    }
}
