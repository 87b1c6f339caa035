namespace Woodpecker.Cli.Hosting;

/// <summary>What `wp` returns to the shell.</summary>
internal static class ExitCodes
{
    /// <summary>Everything worked.</summary>
    public const int Ok = 0;

    /// <summary>The command ran and failed; the error line says why.</summary>
    public const int Error = 1;

    /// <summary>The command line itself was wrong (unknown option, bad value, missing argument).</summary>
    public const int Usage = 2;
}
