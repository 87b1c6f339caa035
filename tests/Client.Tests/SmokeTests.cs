using System.Text;
using Xunit;

namespace Woodpecker.Client.Tests;

public sealed class SmokeTests
{
    [Fact]
    public async Task Append_then_read_back_in_order()
    {
        using var dir = new TempDirectory();
        await using var client = await WoodpeckerClient.CreateEmbeddedAsync(dir.Path);
        var log = await client.CreateLogAsync("smoke");
        await using (var writer = await log.OpenWriterAsync())
        {
            var appends = Enumerable.Range(0, 1000).Select(i => writer.AppendAsync(Encoding.UTF8.GetBytes($"entry {i}"))).ToList();
            var positions = await Task.WhenAll(appends);
            Assert.Equal(Enumerable.Range(0, 1000).Select(i => new LogPosition(0, i)), positions);
        }

        await using var reader = await log.OpenReaderAsync(ReadStart.Earliest, new LogReaderOptions { Follow = false });
        var read = new List<string>();
        await foreach (var message in reader.ReadAllAsync())
        {
            read.Add(Encoding.UTF8.GetString(message.Payload.Span));
        }

        Assert.Equal(Enumerable.Range(0, 1000).Select(i => $"entry {i}"), read);
    }
}
