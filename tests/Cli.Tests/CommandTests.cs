using System.Text.Json;
using Woodpecker.Client;
using Xunit;

namespace Woodpecker.Cli.Tests;

public sealed class CommandTests
{
    [Fact]
    public async Task Append_then_read_round_trips_values_and_stdin_lines()
    {
        using var dir = new TempDirectory();
        Assert.Equal(0, (await Wp.In(dir.Path, "log", "create", "orders")).ExitCode);

        var appended = await Wp.In(dir.Path, "append", "orders", "first", "second entry");
        Assert.Equal(0, appended.ExitCode);
        Assert.Equal(["0:0", "0:1"], appended.Lines);

        var piped = await Wp.InWithInput(dir.Path, "third\nfourth\tcolumn\n", "append", "orders");
        Assert.Equal(0, piped.ExitCode);
        Assert.Equal(2, piped.Lines.Length);
        Assert.All(piped.Lines, line => Assert.True(LogPosition.TryParse(line, out _), line));

        var read = await Wp.In(dir.Path, "read", "orders");
        Assert.Equal(0, read.ExitCode);
        Assert.Equal(
            ["0:0\tfirst", "0:1\tsecond entry", $"{piped.Lines[0]}\tthird", $"{piped.Lines[1]}\tfourth?column"],
            read.Lines);
    }

    [Fact]
    public async Task Read_prints_json_with_properties_and_stops_at_max()
    {
        using var dir = new TempDirectory();
        await Wp.In(dir.Path, "log", "create", "events");
        await Wp.In(dir.Path, "append", "events", "a", "b", "c", "--property", "source=test", "-p", "k=v=w");

        var read = await Wp.In(dir.Path, "read", "events", "--from", "0:1", "--format", "json", "--max", "1");
        Assert.Equal(0, read.ExitCode);
        var line = Assert.Single(read.Lines);
        using var json = JsonDocument.Parse(line);
        Assert.Equal("0:1", json.RootElement.GetProperty("position").GetString());
        Assert.Equal("b"u8.ToArray(), json.RootElement.GetProperty("payload").GetBytesFromBase64());
        Assert.Equal("test", json.RootElement.GetProperty("properties").GetProperty("source").GetString());
        Assert.Equal("v=w", json.RootElement.GetProperty("properties").GetProperty("k").GetString());

        var hex = await Wp.In(dir.Path, "read", "events", "--format", "hex", "--max", "1");
        Assert.Equal(["0:0\t61"], hex.Lines);
    }

    [Fact]
    public async Task A_bad_log_name_is_one_line_that_says_what_is_allowed()
    {
        using var dir = new TempDirectory();
        var result = await Wp.In(dir.Path, "log", "create", "no spaces/please");
        Assert.Equal(1, result.ExitCode);
        var line = Assert.Single(result.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("error: invalid log name:", line, StringComparison.Ordinal);
        Assert.Contains("letters, digits", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_missing_log_says_how_to_create_it()
    {
        using var dir = new TempDirectory();
        var result = await Wp.In(dir.Path, "append", "ghost", "boo");
        Assert.Equal(1, result.ExitCode);
        Assert.Contains("wp log create ghost", result.Error, StringComparison.Ordinal);
        Assert.Equal("", result.Out);
    }

    [Fact]
    public async Task An_empty_entry_fails_after_printing_what_was_appended()
    {
        using var dir = new TempDirectory();
        await Wp.In(dir.Path, "log", "create", "lines");
        var result = await Wp.InWithInput(dir.Path, "one\n\nthree\n", "append", "lines");
        Assert.Equal(1, result.ExitCode);
        Assert.Equal(["0:0"], result.Lines);
        Assert.Contains("entry 2", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_malformed_property_is_a_usage_error()
    {
        using var dir = new TempDirectory();
        await Wp.In(dir.Path, "log", "create", "props");
        var result = await Wp.In(dir.Path, "append", "props", "x", "--property", "novalue");
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("key=value", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_data_directory_in_use_names_the_directory()
    {
        using var dir = new TempDirectory();
        await using (var holder = await WoodpeckerClient.CreateEmbeddedAsync(dir.Path))
        {
            var result = await Wp.In(dir.Path, "log", "list");
            Assert.Equal(1, result.ExitCode);
            Assert.Contains($"another wp process is using {dir.Path}", result.Error, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task The_data_directory_defaults_to_the_environment_variable()
    {
        using var dir = new TempDirectory();
        var environment = new Dictionary<string, string> { ["WOODPECKER_DATA"] = dir.Path };
        Assert.Equal(0, (await Wp.Run(["log", "create", "from-env"], environment: environment)).ExitCode);
        var list = await Wp.Run(["log", "list"], environment: environment);
        Assert.Contains("from-env", list.Out, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(dir.Path, "LOCK")));
    }

    [Fact]
    public async Task List_info_truncate_and_delete_work_together()
    {
        using var dir = new TempDirectory();
        await Wp.In(dir.Path, "log", "create", "alpha");
        await Wp.In(dir.Path, "log", "create", "beta");
        await Wp.In(dir.Path, "append", "alpha", "1", "2", "3");

        var list = await Wp.In(dir.Path, "log", "list", "--prefix", "al");
        Assert.Contains("alpha", list.Out, StringComparison.Ordinal);
        Assert.DoesNotContain("beta", list.Out, StringComparison.Ordinal);

        var truncate = await Wp.In(dir.Path, "truncate", "alpha", "0:1");
        Assert.Equal(0, truncate.ExitCode);
        Assert.Contains("0:1", truncate.Out, StringComparison.Ordinal);
        Assert.Equal(["0:2\t3"], (await Wp.In(dir.Path, "read", "alpha")).Lines);

        var info = await Wp.In(dir.Path, "log", "info", "alpha");
        Assert.Equal(0, info.ExitCode);
        Assert.Contains("last position", info.Out, StringComparison.Ordinal);
        Assert.Contains("0:2", info.Out, StringComparison.Ordinal);

        Assert.Equal(0, (await Wp.In(dir.Path, "log", "delete", "beta")).ExitCode);
        var gone = await Wp.In(dir.Path, "log", "delete", "beta");
        Assert.Equal(1, gone.ExitCode);
    }

    [Fact]
    public async Task Demo_works_twice_on_the_same_directory()
    {
        using var dir = new TempDirectory();
        var first = await Wp.In(dir.Path, "demo", "--count", "200");
        Assert.True(first.ExitCode == 0, first.Error);
        Assert.Contains("the tail reader saw 200 entries", first.Out, StringComparison.Ordinal);
        var second = await Wp.In(dir.Path, "demo", "--count", "200");
        Assert.True(second.ExitCode == 0, second.Error);
        Assert.Contains("reusing log demo", second.Out, StringComparison.Ordinal);
    }
}
