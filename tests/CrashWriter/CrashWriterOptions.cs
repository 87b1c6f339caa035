using System.Globalization;

namespace Woodpecker.CrashWriter;

/// <summary>The crash writer's command line.</summary>
internal sealed class CrashWriterOptions
{
    public const string Usage =
        "usage: CrashWriter <data-directory> <log-name> [--min-size BYTES] [--max-size BYTES] [--max-in-flight N] "
        + "[--segment-roll-bytes BYTES] [--max-block-bytes BYTES] [--properties] [--seed N] "
        + "[--s3-endpoint URL --s3-bucket NAME --s3-prefix PREFIX] (S3 credentials from AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY)";

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

    /// <summary>Keep segments in this S3-compatible store instead of the data directory (with <see cref="S3Bucket"/>).</summary>
    public string? S3Endpoint { get; private set; }

    /// <summary>The bucket, with <see cref="S3Endpoint"/>.</summary>
    public string? S3Bucket { get; private set; }

    /// <summary>The key prefix, with <see cref="S3Endpoint"/>.</summary>
    public string? S3Prefix { get; private set; }

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
                case "--s3-endpoint":
                    options.S3Endpoint = Text(args, ref i);
                    break;
                case "--s3-bucket":
                    options.S3Bucket = Text(args, ref i);
                    break;
                case "--s3-prefix":
                    options.S3Prefix = Text(args, ref i);
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

        if ((options.S3Endpoint is null) != (options.S3Bucket is null))
        {
            throw new FormatException("--s3-endpoint and --s3-bucket go together");
        }

        return options;
    }

    private static string Text(IReadOnlyList<string> args, ref int i)
    {
        var name = args[i];
        return ++i < args.Count ? args[i] : throw new FormatException($"{name} needs a value");
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
