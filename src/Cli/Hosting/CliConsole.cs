using System.Text;
using Spectre.Console;

namespace Woodpecker.Cli.Hosting;

/// <summary>
/// The streams and environment a command sees. The process's own by default; tests pass string writers and a fixed
/// environment to run commands in-process.
/// </summary>
internal sealed class CliConsole
{
    private const int PlainWidth = 200;

    private readonly Lazy<TextReader> _in;

    public CliConsole(TextWriter output, TextWriter error, Func<TextReader> input, IAnsiConsole ansi, Func<string, string?> environment, bool inputIsTerminal)
    {
        Out = output;
        Error = error;
        _in = new Lazy<TextReader>(input);
        Ansi = ansi;
        Environment = environment;
        InputIsTerminal = inputIsTerminal;
    }

    /// <summary>Plain output: positions, entries. Write whole chunks; every write reaches the stream.</summary>
    public TextWriter Out { get; }

    /// <summary>Error lines.</summary>
    public TextWriter Error { get; }

    /// <summary>Standard input, opened on first use.</summary>
    public TextReader In => _in.Value;

    /// <summary>Rich output: tables, progress bars (same stream as <see cref="Out"/>).</summary>
    public IAnsiConsole Ansi { get; }

    /// <summary>Reads an environment variable.</summary>
    public Func<string, string?> Environment { get; }

    /// <summary>True when standard input is a terminal rather than a pipe or file.</summary>
    public bool InputIsTerminal { get; }

    /// <summary>The process's console.</summary>
    public static CliConsole FromProcess() => new(
        Console.Out,
        Console.Error,
        () => new StreamReader(Console.OpenStandardInput(), new UTF8Encoding(encoderShouldEmitUTF8Identifier: false), detectEncodingFromByteOrderMarks: false, bufferSize: 64 * 1024),
        Console.IsOutputRedirected ? PlainConsole(Console.Out) : AnsiConsole.Console,
        System.Environment.GetEnvironmentVariable,
        !Console.IsInputRedirected);

    /// <summary>
    /// Rich output for a pipe or file: no escape codes, no live redrawing, and tables as wide as they need (a pipe has
    /// no width; 80 columns would wrap every timestamp).
    /// </summary>
    public static IAnsiConsole PlainConsole(TextWriter output)
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = AnsiSupport.No,
            ColorSystem = ColorSystemSupport.NoColors,
            Interactive = InteractionSupport.No,
            Out = new AnsiConsoleOutput(output),
        });
        console.Profile.Width = PlainWidth;
        return console;
    }
}
