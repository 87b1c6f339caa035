using System.Globalization;
using System.Text;
using Woodpecker.Client;
using Woodpecker.Errors;
using Woodpecker.Etcd;
using Woodpecker.Silo.Embedded;
using Woodpecker.Storage.S3;

namespace Woodpecker.LogWorker;

/// <summary>
/// usage: LogWorker --etcd URL --storage DIR --log NAME --tag TAG [--count N] [--in-flight K] [--roll-bytes B]
/// [--s3-endpoint URL --s3-bucket NAME --s3-prefix PREFIX --s3-access-key KEY --s3-secret-key SECRET]
/// Opens the log's writer (fencing any other), prints "OPENED &lt;epoch&gt;", then appends "TAG:SEQ" entries with up
/// to K in flight, printing "ACK TAG:SEQ SEG:ENTRY" per acknowledgement, in order. After N entries it closes and
/// prints "DONE". When an append fails it prints "FAILED &lt;ErrorCode&gt; &lt;message&gt;" and exits with 5 when
/// fenced, 4 otherwise.
/// With --read-entries N it reads instead: opens a reader at the earliest entry, reads N entries, prints
/// "READING &lt;position of the last one&gt;", and then holds the reader open (registered) until killed.
/// With --s3-endpoint segments go to that S3-compatible store; --storage then holds only local scratch.
/// </summary>
internal static class Program
{
    private static readonly Stream Output = Console.OpenStandardOutput();

    public static async Task<int> Main(string[] args)
    {
        var options = Parse(args);
        var silo = new EmbeddedSiloOptions
        {
            DataDirectory = options["--storage"],
            Etcd = new EtcdClientOptions { Endpoints = [options["--etcd"]] },
        };
        if (options.TryGetValue("--s3-endpoint", out var s3Endpoint))
        {
            silo.S3 = new S3StorageOptions
            {
                ServiceUrl = s3Endpoint,
                Bucket = options["--s3-bucket"],
                KeyPrefix = options["--s3-prefix"],
                AccessKey = options["--s3-access-key"],
                SecretKey = options["--s3-secret-key"],
                CreateBucketIfMissing = true,
                // Short, so that many blocks are in flight when the test freezes the process.
                MaxFlushDelay = TimeSpan.FromMilliseconds(5),
            };
        }

        if (options.TryGetValue("--reader-lease-ttl", out var ttl))
        {
            silo.Log.ReaderLeaseTtl = TimeSpan.FromSeconds(double.Parse(ttl, CultureInfo.InvariantCulture));
        }

        if (options.TryGetValue("--roll-bytes", out var roll))
        {
            silo.Log.SegmentRollBytes = long.Parse(roll, CultureInfo.InvariantCulture);
        }

        var tag = options["--tag"];
        var count = options.TryGetValue("--count", out var c) ? long.Parse(c, CultureInfo.InvariantCulture) : long.MaxValue;
        var inFlight = options.TryGetValue("--in-flight", out var k) ? int.Parse(k, CultureInfo.InvariantCulture) : 16;

        await using var client = await WoodpeckerClient.CreateEmbeddedAsync(silo);
        var name = options["--log"];
        LogHandle log;
        try
        {
            log = await client.CreateLogAsync(name);
        }
        catch (LogAlreadyExistsException)
        {
            log = await client.OpenLogAsync(name);
        }

        if (options.TryGetValue("--read-entries", out var toRead))
        {
            return await ReadAndHoldAsync(log, int.Parse(toRead, CultureInfo.InvariantCulture));
        }

        var writer = await log.OpenWriterAsync();
        Write($"OPENED {writer.Epoch}");
        var pending = new Queue<(long Seq, Task<LogPosition> Append)>();
        try
        {
            for (long seq = 0; seq < count || pending.Count > 0;)
            {
                if (seq < count && pending.Count < inFlight)
                {
                    pending.Enqueue((seq, writer.AppendAsync(Encoding.UTF8.GetBytes($"{tag}:{seq}"))));
                    seq++;
                    continue;
                }

                var (done, append) = pending.Dequeue();
                var position = await append;
                Write($"ACK {tag}:{done} {position}");
            }

            await writer.CloseAsync();
            Write("DONE");
            return 0;
        }
        catch (WoodpeckerException ex)
        {
            Write($"FAILED {ex.ErrorCode} {ex.Message.ReplaceLineEndings(" ")}");
            return ex is WriterFencedException ? 5 : 4;
        }
    }

    private static async Task<int> ReadAndHoldAsync(LogHandle log, int entries)
    {
        await using var reader = await log.OpenReaderAsync(ReadStart.Earliest);
        await using var messages = reader.ReadAllAsync().GetAsyncEnumerator();
        LogPosition last = default;
        for (var i = 0; i < entries && await messages.MoveNextAsync(); i++)
        {
            last = messages.Current.Position;
        }

        Write($"READING {last}");
        await Task.Delay(Timeout.Infinite);
        return 0;
    }

    private static void Write(string line)
    {
        // One write per line, so a kill never leaves half a line behind.
        Output.Write(Encoding.UTF8.GetBytes(line + "\n"));
        Output.Flush();
    }

    private static Dictionary<string, string> Parse(string[] args)
    {
        var options = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i + 1 < args.Length; i += 2)
        {
            options[args[i]] = args[i + 1];
        }

        foreach (var required in new[] { "--etcd", "--storage", "--log", "--tag" })
        {
            if (!options.ContainsKey(required))
            {
                Console.Error.WriteLine($"LogWorker: {required} is required.");
                Environment.Exit(2);
            }
        }

        return options;
    }
}
