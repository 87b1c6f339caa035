using Woodpecker.Cli.Hosting;

namespace Woodpecker.Cli;

/// <summary>Entry point of `wp`.</summary>
internal static class Program
{
    public static Task<int> Main(string[] args) => WpApp.RunAsync(args, CliConsole.FromProcess());
}
