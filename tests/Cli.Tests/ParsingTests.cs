using Woodpecker.Cli.Parsing;
using Xunit;

namespace Woodpecker.Cli.Tests;

public sealed class ParsingTests
{
    [Theory]
    [InlineData("64KiB", 65_536)]
    [InlineData("64 KiB", 65_536)]
    [InlineData("64k", 65_536)]
    [InlineData("4MiB", 4_194_304)]
    [InlineData("1GiB", 1_073_741_824)]
    [InlineData("1.5GiB", 1_610_612_736)]
    [InlineData("100MB", 100_000_000)]
    [InlineData("2gb", 2_000_000_000)]
    [InlineData("512", 512)]
    [InlineData("512B", 512)]
    public void Sizes_parse_in_human_forms(string text, long expected)
    {
        Assert.True(HumanSize.TryParse(text, out var bytes));
        Assert.Equal(expected, bytes);
    }

    [Theory]
    [InlineData("")]
    [InlineData("KiB")]
    [InlineData("-1")]
    [InlineData("12 parsecs")]
    [InlineData("1e3")]
    [InlineData("99999999999TiB")]
    public void Bad_sizes_are_refused(string text) => Assert.False(HumanSize.TryParse(text, out _));

    [Theory]
    [InlineData("10s", 10_000)]
    [InlineData("2m", 120_000)]
    [InlineData("500ms", 500)]
    [InlineData("1h", 3_600_000)]
    [InlineData("1m30s", 90_000)]
    [InlineData("1.5s", 1_500)]
    [InlineData("90", 90_000)]
    [InlineData("00:01:30", 90_000)]
    public void Durations_parse_in_human_forms(string text, double expectedMs)
    {
        Assert.True(HumanDuration.TryParse(text, out var duration));
        Assert.Equal(expectedMs, duration.TotalMilliseconds, precision: 6);
    }

    [Theory]
    [InlineData("")]
    [InlineData("s")]
    [InlineData("10x")]
    [InlineData("ten seconds")]
    [InlineData("-5s")]
    public void Bad_durations_are_refused(string text) => Assert.False(HumanDuration.TryParse(text, out _));

    [Fact]
    public async Task A_bad_position_is_a_usage_error_that_shows_the_form()
    {
        using var dir = new TempDirectory();
        var result = await Wp.In(dir.Path, "truncate", "orders", "0-7");
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("SEG:ENTRY", result.Error, StringComparison.Ordinal);
        Assert.Single(result.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    [Theory]
    [InlineData("--from", "sideways")]
    [InlineData("--format", "xml")]
    [InlineData("--max", "0")]
    public async Task Bad_read_options_are_usage_errors(string option, string value)
    {
        using var dir = new TempDirectory();
        var result = await Wp.In(dir.Path, "read", "orders", option, value);
        Assert.Equal(2, result.ExitCode);
        Assert.StartsWith("error: ", result.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--size", "lots")]
    [InlineData("--duration", "soon")]
    [InlineData("--entry-size", "64 parsecs")]
    public async Task Bad_bench_sizes_and_durations_are_usage_errors(string option, string value)
    {
        using var dir = new TempDirectory();
        var result = await Wp.In(dir.Path, "bench", option, value);
        Assert.Equal(2, result.ExitCode);
        Assert.Contains(value, result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task No_command_and_unknown_commands_are_usage_errors()
    {
        Assert.Equal(2, (await Wp.Run([])).ExitCode);
        Assert.Equal(2, (await Wp.Run(["frobnicate"])).ExitCode);
        Assert.Equal(2, (await Wp.Run(["bench", "everything"])).ExitCode);
    }

    [Fact]
    public async Task Help_succeeds()
    {
        var result = await Wp.Run(["read", "--help"]);
        Assert.Equal(0, result.ExitCode);
        Assert.Contains("--follow", result.Out, StringComparison.Ordinal);
    }
}
