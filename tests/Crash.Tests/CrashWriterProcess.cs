using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using System.Text;

namespace Woodpecker.Crash.Tests;

/// <summary>An append the crash writer reported as acknowledged.</summary>
internal readonly record struct Ack(long Sequence, LogPosition Position);

/// <summary>Where a crash writer keeps its segments when not in its data directory: a real S3-protocol server.</summary>
internal sealed record S3Target(string Endpoint, string Bucket, string Prefix, string AccessKey, string SecretKey)
{
    /// <summary>The same place as storage options, for the verifying client in this process.</summary>
    public Woodpecker.Storage.S3.S3StorageOptions ToOptions() => new()
    {
        ServiceUrl = Endpoint,
        Bucket = Bucket,
        KeyPrefix = Prefix,
        AccessKey = AccessKey,
        SecretKey = SecretKey,
        CreateBucketIfMissing = true,
    };
}

/// <summary>How a crash writer is started.</summary>
internal sealed record CrashWriterSettings(
    int MinEntryBytes = 16,
    int MaxEntryBytes = 2048,
    int MaxInFlight = 64,
    long? SegmentRollBytes = null,
    int? MaxBlockBytes = null,
    bool WithProperties = false,
    int Seed = 0,
    S3Target? S3 = null)
{
    public IEnumerable<string> ToArguments()
    {
        yield return "--min-size";
        yield return MinEntryBytes.ToString(CultureInfo.InvariantCulture);
        yield return "--max-size";
        yield return MaxEntryBytes.ToString(CultureInfo.InvariantCulture);
        yield return "--max-in-flight";
        yield return MaxInFlight.ToString(CultureInfo.InvariantCulture);
        if (SegmentRollBytes is { } roll)
        {
            yield return "--segment-roll-bytes";
            yield return roll.ToString(CultureInfo.InvariantCulture);
        }

        if (MaxBlockBytes is { } block)
        {
            yield return "--max-block-bytes";
            yield return block.ToString(CultureInfo.InvariantCulture);
        }

        if (WithProperties)
        {
            yield return "--properties";
        }

        yield return "--seed";
        yield return Seed.ToString(CultureInfo.InvariantCulture);
        if (S3 is not null)
        {
            yield return "--s3-endpoint";
            yield return S3.Endpoint;
            yield return "--s3-bucket";
            yield return S3.Bucket;
            yield return "--s3-prefix";
            yield return S3.Prefix;
        }
    }

    public override string ToString() =>
        $"sizes {MinEntryBytes}..{MaxEntryBytes}, in flight {MaxInFlight}, roll {SegmentRollBytes?.ToString(CultureInfo.InvariantCulture) ?? "default"}, "
        + $"block {MaxBlockBytes?.ToString(CultureInfo.InvariantCulture) ?? "default"}, properties {WithProperties}, seed {Seed}"
        + (S3 is null ? "" : $", S3 {S3.Endpoint}/{S3.Bucket}/{S3.Prefix}");
}

/// <summary>
/// A running tests/CrashWriter child ("dotnet CrashWriter.dll ..."): collects its READY and ACK lines as they come,
/// and is killed with SIGKILL. Disposing kills it if it still runs.
/// </summary>
internal sealed class CrashWriterProcess : IDisposable
{
    /// <summary>Exit code .NET reports on Unix for a process ended by signal 9: 128 + SIGKILL.</summary>
    public const int KilledBySigkill = 128 + 9;

    private const int MaxStderrChars = 64 * 1024;

    private readonly Process _process;
    private readonly Task _stdoutPump;
    private readonly Lock _gate = new();
    private readonly List<Ack> _acks = [];
    private readonly List<string> _protocolErrors = [];
    private readonly StringBuilder _stderr = new();
    private long _readyNext = -1;
    private int _ackCount;

    private CrashWriterProcess(Process process)
    {
        _process = process;
        _process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                return;
            }

            lock (_gate)
            {
                if (_stderr.Length < MaxStderrChars)
                {
                    _stderr.AppendLine(e.Data);
                }
            }
        };
        _process.BeginErrorReadLine();
        _stdoutPump = Task.Run(PumpStandardOutputAsync);
    }

    public int ProcessId => _process.Id;

    /// <summary>The next sequence number the child announced with READY, or null before READY.</summary>
    public long? ReadyNext
    {
        get
        {
            var value = Interlocked.Read(ref _readyNext);
            return value < 0 ? null : value;
        }
    }

    public int AckCount => Volatile.Read(ref _ackCount);

    public bool HasExited => _process.HasExited;

    public IReadOnlyList<Ack> Acks
    {
        get
        {
            lock (_gate)
            {
                return [.. _acks];
            }
        }
    }

    /// <summary>Stdout lines that were neither READY nor ACK, or came out of order.</summary>
    public IReadOnlyList<string> ProtocolErrors
    {
        get
        {
            lock (_gate)
            {
                return [.. _protocolErrors];
            }
        }
    }

    public string StandardError
    {
        get
        {
            lock (_gate)
            {
                return _stderr.ToString();
            }
        }
    }

    public static CrashWriterProcess Start(string dataDirectory, string logName, CrashWriterSettings settings)
    {
        var start = new ProcessStartInfo(DotnetHost)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = false,
            UseShellExecute = false,
        };
        if (settings.S3 is { } s3)
        {
            start.Environment["AWS_ACCESS_KEY_ID"] = s3.AccessKey;
            start.Environment["AWS_SECRET_ACCESS_KEY"] = s3.SecretKey;
        }

        start.ArgumentList.Add(CrashWriterDll);
        start.ArgumentList.Add(dataDirectory);
        start.ArgumentList.Add(logName);
        foreach (var argument in settings.ToArguments())
        {
            start.ArgumentList.Add(argument);
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {DotnetHost} {CrashWriterDll}.");
        return new CrashWriterProcess(process);
    }

    /// <summary>Waits for READY; throws, with the child's stderr, when it exits first or takes longer than <paramref name="timeout"/>.</summary>
    public async Task WaitForReadyAsync(TimeSpan timeout)
    {
        if (!await WaitUntilAsync(() => ReadyNext is not null, timeout))
        {
            throw new TimeoutException($"The crash writer printed no READY within {timeout.TotalSeconds} s.\n{Describe()}");
        }
    }

    /// <summary>
    /// Waits until <paramref name="condition"/> holds (true) or <paramref name="timeout"/> passes (false). Throws
    /// when the child exits by itself meanwhile: it must run until killed.
    /// </summary>
    public async Task<bool> WaitUntilAsync(Func<bool> condition, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            if (_process.HasExited)
            {
                await _stdoutPump.ConfigureAwait(false);
                if (condition())
                {
                    break;
                }

                throw new InvalidOperationException($"The crash writer exited by itself with code {_process.ExitCode}.\n{Describe()}");
            }

            if (clock.Elapsed >= timeout)
            {
                return false;
            }

            await Task.Delay(1).ConfigureAwait(false);
        }

        return true;
    }

    /// <summary>
    /// Kills the child with SIGKILL (Process.Kill sends SIGKILL on Unix; the exit code, 128 + 9, proves it), waits for
    /// it to exit and for its last stdout lines, and returns the exit code.
    /// </summary>
    public async Task<int> KillAsync()
    {
        try
        {
            _process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // It already exited; its exit code tells how.
        }

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await _process.WaitForExitAsync(timeout.Token).ConfigureAwait(false);
        await _stdoutPump.WaitAsync(timeout.Token).ConfigureAwait(false);
        return _process.ExitCode;
    }

    public string Describe()
    {
        var stderr = StandardError;
        return $"crash writer pid {_process.Id}: READY {ReadyNext?.ToString(CultureInfo.InvariantCulture) ?? "(none)"}, {AckCount} acks, "
            + $"protocol errors [{string.Join("; ", ProtocolErrors)}], stderr: {(stderr.Length == 0 ? "(empty)" : "\n" + stderr)}";
    }

    public void Dispose()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                _process.WaitForExit(10_000);
            }
        }
        catch (InvalidOperationException)
        {
        }
        finally
        {
            _process.Dispose();
        }
    }

    /// <summary>Reads stdout as raw bytes and keeps only complete ('\n'-terminated) lines.</summary>
    private async Task PumpStandardOutputAsync()
    {
        var stream = _process.StandardOutput.BaseStream;
        var buffer = new byte[64 * 1024];
        var line = new List<byte>(64);
        int read;
        while ((read = await stream.ReadAsync(buffer).ConfigureAwait(false)) > 0)
        {
            for (var i = 0; i < read; i++)
            {
                if (buffer[i] == (byte)'\n')
                {
                    OnLine(Encoding.ASCII.GetString([.. line]));
                    line.Clear();
                }
                else
                {
                    line.Add(buffer[i]);
                }
            }
        }

        if (line.Count > 0)
        {
            lock (_gate)
            {
                _protocolErrors.Add($"unterminated last line '{Encoding.ASCII.GetString([.. line])}'");
            }
        }
    }

    private void OnLine(string text)
    {
        var parts = text.Split(' ');
        lock (_gate)
        {
            if (parts is ["READY", var next] && long.TryParse(next, NumberStyles.None, CultureInfo.InvariantCulture, out var ready) && _readyNext < 0 && _acks.Count == 0)
            {
                Interlocked.Exchange(ref _readyNext, ready);
            }
            else if (parts is ["ACK", var seqText, var positionText]
                && long.TryParse(seqText, NumberStyles.None, CultureInfo.InvariantCulture, out var sequence)
                && LogPosition.TryParse(positionText, out var position)
                && _readyNext >= 0)
            {
                _acks.Add(new Ack(sequence, position));
                Interlocked.Increment(ref _ackCount);
            }
            else
            {
                _protocolErrors.Add($"unexpected line '{text}'");
            }
        }
    }

    private static string DotnetHost
    {
        get
        {
            var fromSdk = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH");
            if (!string.IsNullOrEmpty(fromSdk) && File.Exists(fromSdk))
            {
                return fromSdk;
            }

            var self = Environment.ProcessPath;
            return self is not null && Path.GetFileNameWithoutExtension(self) == "dotnet" ? self : "dotnet";
        }
    }

    private static string CrashWriterDll
    {
        get
        {
            var path = typeof(CrashWriterProcess).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
                .FirstOrDefault(a => a.Key == "CrashWriterPath")?.Value;
            if (string.IsNullOrEmpty(path) || !File.Exists(path))
            {
                throw new FileNotFoundException(
                    $"CrashWriter.dll not found at '{path}'. Build tests/CrashWriter (building tests/Crash.Tests does it).", path);
            }

            return path;
        }
    }
}
