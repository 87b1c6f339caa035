using System.Globalization;
using System.Text;
using System.Threading.Channels;
using Woodpecker.Client;
using Woodpecker.Errors;
using Woodpecker.Silo.Embedded;
using Woodpecker.Storage.S3;

namespace Woodpecker.CrashWriter;

/// <summary>
/// Appends numbered, checksummed entries to a log until killed. Protocol on stdout, one line per write, flushed:
/// "READY &lt;next-seq&gt;" once, before the first append, then "ACK &lt;seq&gt; &lt;segment&gt;:&lt;entry&gt;"
/// for every acknowledged append, in acknowledgement order. Diagnostics go to stderr. Exit codes: 2 bad arguments,
/// 3 the log found at start breaks the crash-writer format or sequence, 4 an append failed.
/// </summary>
internal static class Program
{
    private const int ExitUsage = 2;
    private const int ExitCorruptLog = 3;
    private const int ExitAppendFailed = 4;

    private static readonly Stream StandardOutput = Console.OpenStandardOutput();

    public static async Task<int> Main(string[] args)
    {
        CrashWriterOptions options;
        try
        {
            options = CrashWriterOptions.Parse(args);
        }
        catch (FormatException ex)
        {
            await Console.Error.WriteLineAsync($"CrashWriter: {ex.Message}\n{CrashWriterOptions.Usage}");
            return ExitUsage;
        }

        var siloOptions = new EmbeddedSiloOptions { DataDirectory = options.DataDirectory };
        if (options.SegmentRollBytes is { } rollBytes)
        {
            siloOptions.Log.SegmentRollBytes = rollBytes;
        }

        if (options.S3Endpoint is not null)
        {
            siloOptions.S3 = new S3StorageOptions
            {
                ServiceUrl = options.S3Endpoint,
                Bucket = options.S3Bucket!,
                KeyPrefix = options.S3Prefix ?? "woodpecker",
                CreateBucketIfMissing = true,
                // Shorter than the 200 ms default so that acknowledgements come often enough for the kill plans
                // ("after N acks") within their time limit; the flush and acknowledgement path is the same.
                MaxFlushDelay = TimeSpan.FromMilliseconds(20),
            };
        }

        if (options.MaxBlockBytes is { } blockBytes)
        {
            if (siloOptions.S3 is { } s3)
            {
                s3.MaxBlockBytes = blockBytes;
            }
            else
            {
                siloOptions.Storage.MaxBlockBytes = blockBytes;
            }
        }

        await using var client = await WoodpeckerClient.CreateEmbeddedAsync(siloOptions);
        var log = await OpenOrCreateAsync(client, options.LogName);
        var last = await FindLastSequenceAsync(log);
        if (last is null)
        {
            return ExitCorruptLog;
        }

        await using var writer = await log.OpenWriterAsync();
        WriteLine($"READY {last.Value + 1}");
        return await AppendUntilKilledAsync(writer, options, last.Value + 1);
    }

    private static async Task<LogHandle> OpenOrCreateAsync(WoodpeckerClient client, string name)
    {
        if (await client.LogExistsAsync(name))
        {
            return await client.OpenLogAsync(name);
        }

        try
        {
            return await client.CreateLogAsync(name);
        }
        catch (LogAlreadyExistsException)
        {
            return await client.OpenLogAsync(name);
        }
    }

    /// <summary>The last sequence number stored (-1 for an empty log), or null after reporting a broken log on stderr.</summary>
    private static async Task<long?> FindLastSequenceAsync(LogHandle log)
    {
        var last = -1L;
        LogPosition? previous = null;
        await using var reader = await log.OpenReaderAsync(ReadStart.Earliest, new LogReaderOptions { Follow = false });
        await foreach (var message in reader.ReadAllAsync())
        {
            string? problem = null;
            if (!CrashPayload.TryDecode(message.Payload.Span, out var sequence, out var error))
            {
                problem = error;
            }
            else if (sequence != last + 1)
            {
                problem = $"expected seq {last + 1}, found seq {sequence}";
            }
            else if (previous is { } before && message.Position <= before)
            {
                problem = $"position does not follow the previous entry's {before}";
            }
            else if (message.Properties.TryGetValue(CrashPayload.SequenceProperty, out var property)
                && property != sequence.ToString(CultureInfo.InvariantCulture))
            {
                problem = $"property {CrashPayload.SequenceProperty}={property} but the payload holds seq {sequence}";
            }

            if (problem is not null)
            {
                await Console.Error.WriteLineAsync($"CORRUPT {message.Position} {problem}");
                return null;
            }

            last = sequence;
            previous = message.Position;
        }

        return last;
    }

    private static async Task<int> AppendUntilKilledAsync(LogWriter writer, CrashWriterOptions options, long first)
    {
        var random = new Random(options.Seed);
        var pending = Channel.CreateUnbounded<(long Sequence, Task<LogPosition> Append)>(
            new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
        using var slots = new SemaphoreSlim(options.MaxInFlight, options.MaxInFlight);
        using var stop = new CancellationTokenSource();

        // One consumer awaits the appends in the order they were made, so ACK lines come out in acknowledgement order.
        var acknowledger = Task.Run(async () =>
        {
            LogPosition? previous = null;
            await foreach (var (sequence, append) in pending.Reader.ReadAllAsync())
            {
                LogPosition position;
                try
                {
                    position = await append;
                }
                catch (Exception ex) when (ex is WoodpeckerException or OperationCanceledException or IOException)
                {
                    await Console.Error.WriteLineAsync($"APPEND-FAILED seq {sequence}: {ex}");
                    await stop.CancelAsync();
                    return ExitAppendFailed;
                }

                if (previous is { } before && position <= before)
                {
                    await Console.Error.WriteLineAsync($"ACK-ORDER seq {sequence} acknowledged at {position}, not after {before}");
                    await stop.CancelAsync();
                    return ExitAppendFailed;
                }

                previous = position;
                WriteLine($"ACK {sequence} {position}");
                slots.Release();
            }

            return 0;
        });

        try
        {
            for (var sequence = first; ; sequence++)
            {
                await slots.WaitAsync(stop.Token);
                var payload = CrashPayload.Create(sequence, random.Next(options.MinEntryBytes, options.MaxEntryBytes + 1), random);
                var properties = options.WithProperties
                    ? new Dictionary<string, string> { [CrashPayload.SequenceProperty] = sequence.ToString(CultureInfo.InvariantCulture) }
                    : null;
                await pending.Writer.WriteAsync((sequence, writer.AppendAsync(payload, properties)));
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            return await acknowledger;
        }
    }

    /// <summary>Writes a whole line with one write call (atomic on a pipe below 4 KiB), so a kill never leaves half of it.</summary>
    private static void WriteLine(string line)
    {
        StandardOutput.Write(Encoding.ASCII.GetBytes(line + "\n"));
        StandardOutput.Flush();
    }
}
