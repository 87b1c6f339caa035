using Woodpecker.Cli.Hosting;

namespace Woodpecker.Cli.Tests;

/// <summary>Runs `wp` in-process with captured output, a given stdin and a fixed environment.</summary>
internal static class Wp
{
    public static async Task<WpResult> Run(string[] args, string stdin = "", IReadOnlyDictionary<string, string>? environment = null)
    {
        using var output = new StringWriter { NewLine = "\n" };
        using var error = new StringWriter { NewLine = "\n" };
        var console = new CliConsole(
            output,
            error,
            () => new StringReader(stdin),
            CliConsole.PlainConsole(output),
            name => environment is not null && environment.TryGetValue(name, out var value) ? value : null,
            inputIsTerminal: false);
        var exitCode = await WpApp.RunAsync(args, console);
        return new WpResult(exitCode, output.ToString(), error.ToString());
    }

    /// <summary>Runs against <paramref name="data"/> (prepends --data).</summary>
    public static Task<WpResult> In(string data, params string[] args) => Run(["--data", data, .. args]);

    public static Task<WpResult> InWithInput(string data, string stdin, params string[] args) => Run(["--data", data, .. args], stdin);
}

internal sealed record WpResult(int ExitCode, string Out, string Error)
{
    public string[] Lines => Out.Split('\n', StringSplitOptions.RemoveEmptyEntries);
}
