using System.Globalization;

namespace Woodpecker.CrashWriter;

/// <summary>The crash writer's command line.</summary>
internal sealed class CrashWriterOptions
{
    public const string Usage =
        "usage: CrashWriter <data-directory> <log-name> [--min-size BYTES] [--max-size BYTES] [--max-in-flight N] "
        + "[--segment-roll-bytes BYTES] [--max-block-bytes BYTES] [--properties] [--seed N]";

    public required string DataDirectory { get; init; }

    public required string LogName { get; init; }

    /// <summary>Smallest payload, header and checksum included. Default 16.</summary>
    public int MinEntryBytes { get; private set; } = CrashPayload.MinBytes;

    /// <summary>Largest payload, header and checksum included. Default 2048.</summary>
    public int MaxEntryBytes { get; private set; } = 2048;

    /// <summary>Appends not yet acknowledged at any time. Default 64.</summary>
    public int MaxInFlight { get; private set; } = 64;

    /// <summary>LogServiceOptions.SegmentRollBytes, or null for the default.</summary>
    public long? SegmentRollBytes { get; private set; }

    /// <summary>LocalStorageOptions.MaxBlockBytes, or null for the default.</summary>
    public int? MaxBlockBytes { get; private set; }

    /// <summary>True: attach the property "seq" = sequence number to every entry.</summary>
    public bool WithProperties { get; private set; }

    /// <summary>Seed of the filler and sizes.</summary>
    public int Seed { get; private set; } = Environment.TickCount;

    public static CrashWriterOptions Parse(IReadOnlyList<string> args)
    {
        if (args.Count < 2 || args[0].StartsWith("--", StringComparison.Ordinal) || args[1].StartsWith("--", StringComparison.Ordinal))
        {
            throw new FormatException("the data directory and the log name are required");
        }

        var options = new CrashWriterOptions { DataDirectory = args[0], LogName = args[1] };
        for (var i = 2; i < args.Count; i++)
        {
            switch (args[i])
            {
                case "--min-size":
                    options.MinEntryBytes = (int)Number(args, ref i, CrashPayload.MinBytes, 8 * 1024 * 1024);
                    break;
                case "--max-size":
                    options.MaxEntryBytes = (int)Number(args, ref i, CrashPayload.MinBytes, 8 * 1024 * 1024);
                    break;
                case "--max-in-flight":
                    options.MaxInFlight = (int)Number(args, ref i, 1, 1_000_000);
                    break;
                case "--segment-roll-bytes":
                    options.SegmentRollBytes = Number(args, ref i, 64 * 1024, long.MaxValue);
                    break;
                case "--max-block-bytes":
                    options.MaxBlockBytes = (int)Number(args, ref i, 4096, 64 * 1024 * 1024);
                    break;
                case "--properties":
                    options.WithProperties = true;
                    break;
                case "--seed":
                    options.Seed = (int)Number(args, ref i, int.MinValue, int.MaxValue);
                    break;
                default:
                    throw new FormatException($"unknown option '{args[i]}'");
            }
        }

        if (options.MinEntryBytes > options.MaxEntryBytes)
        {
            throw new FormatException($"--min-size {options.MinEntryBytes} is larger than --max-size {options.MaxEntryBytes}");
        }

        return options;
    }

    private static long Number(IReadOnlyList<string> args, ref int i, long min, long max)
    {
        var name = args[i];
        if (++i >= args.Count || !long.TryParse(args[i], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value))
        {
            throw new FormatException($"{name} needs an integer");
        }

        if (value < min || value > max)
        {
            throw new FormatException($"{name} must be between {min} and {max}, not {value}");
        }

        return value;
    }
}
