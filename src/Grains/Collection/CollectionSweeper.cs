using Microsoft.Extensions.Logging;
using Woodpecker.Errors;
using Woodpecker.Grains.Diagnostics;
using Woodpecker.Grains.Logs;
using Woodpecker.Grains.Messages;
using Woodpecker.Grains.Metadata;
using Woodpecker.Runtime;
using Woodpecker.Storage.Abstractions;

namespace Woodpecker.Grains.Collection;

/// <summary>
/// Finishes garbage collection that outlives the grains: every interval it looks at the collection records that are
/// due, deletes the storage of deleted logs, and asks each truncated log's grain to collect. Work that fails stays
/// recorded and is retried at the next interval, so neither a crash nor a storage outage leaks data.
/// </summary>
internal sealed class CollectionSweeper : IAsyncDisposable
{
    private readonly LogMetadata _metadata;
    private readonly ISegmentStorage _storage;
    private readonly GrainFactory _grains;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly ITimer _timer;
    private readonly SemaphoreSlim _running = new(1, 1);
    private readonly CancellationTokenSource _stopping = new();

    public CollectionSweeper(LogMetadata metadata, ISegmentStorage storage, GrainFactory grains, TimeSpan interval, TimeProvider time, ILogger logger)
    {
        _metadata = metadata;
        _storage = storage;
        _grains = grains;
        _time = time;
        _logger = logger;
        _timer = time.CreateTimer(_ => _ = SweepAsync(), null, interval, interval);
    }

    /// <summary>Runs one sweep now; returns how many logs it worked on.</summary>
    /// <param name="ignoreDueTimes">Work on every recorded log, not only those whose time has come.</param>
    public async Task<int> SweepAsync(bool ignoreDueTimes = false)
    {
        if (!await _running.WaitAsync(0).ConfigureAwait(false))
        {
            return 0; // a sweep is running already
        }

        try
        {
            var worked = 0;
            var now = _time.GetUtcNow().ToUnixTimeMilliseconds();
            foreach (var (logId, record) in await _metadata.ListCollectionsAsync(_stopping.Token).ConfigureAwait(false))
            {
                if ((record.DueUnixMs > now && !ignoreDueTimes) || _stopping.IsCancellationRequested)
                {
                    continue;
                }

                try
                {
                    if (record.LogDeleted)
                    {
                        await _storage.DeleteLogAsync(logId, _stopping.Token).ConfigureAwait(false);
                        await _metadata.DeleteCollectionAsync(logId, _stopping.Token).ConfigureAwait(false);
                    }
                    else
                    {
                        await _grains.GetGrain<ILogGrain>(record.LogName).CollectAsync(new CollectRequest(), _stopping.Token).ConfigureAwait(false);
                    }

                    worked++;
                }
                catch (Exception ex) when (ex is WoodpeckerException or IOException or TimeoutException or GrainActivationException)
                {
                    GrainLog.CollectionFailed(_logger, logId, ex);
                }
            }

            return worked;
        }
        catch (Exception ex) when (ex is WoodpeckerException or OperationCanceledException)
        {
            GrainLog.CollectionFailed(_logger, -1, ex);
            return 0;
        }
        finally
        {
            _running.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _timer.DisposeAsync().ConfigureAwait(false);
        await _stopping.CancelAsync().ConfigureAwait(false);
        await _running.WaitAsync().ConfigureAwait(false);
        _running.Dispose();
        _stopping.Dispose();
    }
}
