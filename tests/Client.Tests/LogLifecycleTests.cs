using Woodpecker.Errors;
using Xunit;

namespace Woodpecker.Client.Tests;

public sealed class LogLifecycleTests
{
    [Fact]
    public async Task Create_open_exists_list_and_delete()
    {
        using var dir = new TempDirectory();
        await using var client = await Clients.Start(dir.Path);

        Assert.False(await client.LogExistsAsync("orders"));
        var created = await client.CreateLogAsync("orders");
        await client.CreateLogAsync("orders-eu");
        await client.CreateLogAsync("payments");
        Assert.True(await client.LogExistsAsync("orders"));
        Assert.Equal(created.LogId, (await client.OpenLogAsync("orders")).LogId);

        var names = new List<string>();
        await foreach (var log in client.ListLogsAsync("orders"))
        {
            names.Add(log.Name);
        }

        Assert.Equal(["orders", "orders-eu"], names);

        await client.DeleteLogAsync("orders");
        Assert.False(await client.LogExistsAsync("orders"));
        await Assert.ThrowsAsync<LogNotFoundException>(() => client.OpenLogAsync("orders"));
        await Assert.ThrowsAsync<LogNotFoundException>(() => client.DeleteLogAsync("orders"));
    }

    [Fact]
    public async Task Creating_an_existing_log_fails_and_changes_nothing()
    {
        using var dir = new TempDirectory();
        await using var client = await Clients.Start(dir.Path);
        var log = await client.CreateLogAsync("dup");
        await using (var writer = await log.OpenWriterAsync())
        {
            await writer.AppendAsync(Clients.Bytes("kept"));
        }

        await Assert.ThrowsAsync<LogAlreadyExistsException>(() => client.CreateLogAsync("dup"));

        var again = await client.OpenLogAsync("dup");
        Assert.Equal(log.LogId, again.LogId);
        Assert.Equal(["kept"], (await Clients.ReadAll(again)).Select(Clients.Text));
    }

    [Fact]
    public async Task Listing_pages_through_many_logs_in_name_order()
    {
        using var dir = new TempDirectory();
        await using var client = await Clients.Start(dir.Path);
        var expected = Enumerable.Range(0, 1_200).Select(i => $"log-{i:D5}").ToList();
        foreach (var name in expected)
        {
            await client.CreateLogAsync(name);
        }

        await client.CreateLogAsync("other");
        var listed = new List<string>();
        await foreach (var log in client.ListLogsAsync("log-"))
        {
            listed.Add(log.Name);
        }

        Assert.Equal(expected, listed);
    }

    [Fact]
    public async Task A_deleted_log_loses_its_files_and_a_new_log_of_that_name_starts_empty()
    {
        using var dir = new TempDirectory();
        await using var client = await Clients.Start(dir.Path);
        var log = await client.CreateLogAsync("recycled");
        await using (var writer = await log.OpenWriterAsync())
        {
            for (var i = 0; i < 10; i++)
            {
                await writer.AppendAsync(Clients.Bytes($"old {i}"));
            }
        }

        var logDirectory = Path.Combine(dir.Path, "segments", "logs", log.LogId.ToString("D12", System.Globalization.CultureInfo.InvariantCulture));
        Assert.True(Directory.Exists(logDirectory));

        await client.DeleteLogAsync("recycled");
        Assert.False(Directory.Exists(logDirectory));

        var fresh = await client.CreateLogAsync("recycled");
        Assert.NotEqual(log.LogId, fresh.LogId);
        Assert.Empty(await Clients.ReadAll(fresh));
        Assert.Null(await fresh.GetLastPositionAsync());
    }

    [Fact]
    public async Task Data_survive_a_restart_and_the_next_writer_continues_in_a_new_segment()
    {
        using var dir = new TempDirectory();
        LogPosition last;
        await using (var client = await Clients.Start(dir.Path))
        {
            var log = await client.CreateLogAsync("durable");
            await using var writer = await log.OpenWriterAsync();
            for (var i = 0; i < 100; i++)
            {
                last = await writer.AppendAsync(Clients.Bytes($"before {i}"));
            }
        }

        await using (var client = await Clients.Start(dir.Path))
        {
            var log = await client.OpenLogAsync("durable");
            Assert.Equal(new LogPosition(0, 99), await log.GetLastPositionAsync());
            await using (var writer = await log.OpenWriterAsync())
            {
                Assert.Equal(new LogPosition(1, 0), await writer.AppendAsync(Clients.Bytes("after")));
            }

            var all = (await Clients.ReadAll(log)).Select(Clients.Text).ToList();
            Assert.Equal(Enumerable.Range(0, 100).Select(i => $"before {i}").Append("after"), all);
        }
    }

    [Fact]
    public async Task A_second_process_cannot_open_the_same_data_directory()
    {
        using var dir = new TempDirectory();
        await using var first = await Clients.Start(dir.Path);

        var error = await Assert.ThrowsAsync<DataDirectoryInUseException>(() => Clients.Start(dir.Path));
        Assert.Contains(dir.Path, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_disposed_client_refuses_every_call_with_a_typed_error()
    {
        using var dir = new TempDirectory();
        var client = await Clients.Start(dir.Path);
        var log = await client.CreateLogAsync("closing");
        await client.DisposeAsync();

        await Assert.ThrowsAsync<HandleClosedException>(() => client.CreateLogAsync("late"));
        await Assert.ThrowsAsync<HandleClosedException>(() => log.OpenWriterAsync());
        await Assert.ThrowsAsync<HandleClosedException>(() => log.GetLastPositionAsync());
    }
}
