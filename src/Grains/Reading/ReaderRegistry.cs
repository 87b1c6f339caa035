using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Woodpecker.Errors;
using Woodpecker.Grains.Diagnostics;
using Woodpecker.Grains.Metadata;
using Woodpecker.Grains.Metadata.Records;
using Woodpecker.Metadata.Abstractions;
using Woodpecker.Metadata.Leases;

namespace Woodpecker.Grains.Reading;

/// <summary>
/// Reader registrations of this silo, bound to one lease that the silo keeps alive. If the silo dies, the lease
/// expires and garbage collection forgets its readers; if the lease is lost while the silo lives (a long pause),
/// a new lease is granted and every live registration is written again.
/// </summary>
internal sealed class ReaderRegistry : IReaderRegistry, IAsyncDisposable
{
    private readonly IMetadataStore _store;
    private readonly LogMetadata _metadata;
    private readonly TimeSpan _ttl;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<(long LogId, string ReaderId), long> _registrations = new();
    private readonly SemaphoreSlim _renewing = new(1, 1);
    private LeaseKeeper _lease;
    private bool _disposed;

    private ReaderRegistry(IMetadataStore store, LogMetadata metadata, TimeSpan ttl, TimeProvider time, ILogger logger, LeaseKeeper lease)
    {
        _store = store;
        _metadata = metadata;
        _ttl = ttl;
        _time = time;
        _logger = logger;
        _lease = lease;
        WatchForLoss(lease);
    }

    public static async Task<ReaderRegistry> StartAsync(
        IMetadataStore store, LogMetadata metadata, TimeSpan ttl, TimeProvider time, ILoggerFactory loggerFactory, CancellationToken cancellationToken)
    {
        var logger = loggerFactory.CreateLogger<ReaderRegistry>();
        var lease = await LeaseKeeper.StartAsync(store, new LeaseKeeperOptions { Ttl = ttl }, time, logger, cancellationToken).ConfigureAwait(false);
        return new ReaderRegistry(store, metadata, ttl, time, logger, lease);
    }

    public async Task RegisterAsync(long logId, string readerId, long segmentId, CancellationToken cancellationToken)
    {
        _registrations[(logId, readerId)] = segmentId;
        await _metadata.PutReaderAsync(logId, readerId, new ReaderRecord { SegmentId = segmentId, OpenedUnixMs = _time.GetUtcNow().ToUnixTimeMilliseconds() }, _lease.LeaseId, cancellationToken).ConfigureAwait(false);
    }

    public async Task UnregisterAsync(long logId, string readerId, CancellationToken cancellationToken)
    {
        _registrations.TryRemove((logId, readerId), out _);
        await _metadata.DeleteReaderAsync(logId, readerId, cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        await _renewing.WaitAsync().ConfigureAwait(false);
        _disposed = true;
        _renewing.Release();
        await _lease.DisposeAsync().ConfigureAwait(false);
    }

    private void WatchForLoss(LeaseKeeper lease) =>
        lease.Lost.Register(() => _ = RenewAsync(lease));

    private async Task RenewAsync(LeaseKeeper lost)
    {
        await _renewing.WaitAsync().ConfigureAwait(false);
        try
        {
            if (_disposed || !ReferenceEquals(lost, _lease))
            {
                return;
            }

            var fresh = await LeaseKeeper.StartAsync(_store, new LeaseKeeperOptions { Ttl = _ttl }, _time, _logger).ConfigureAwait(false);
            _lease = fresh;
            foreach (var ((logId, readerId), segmentId) in _registrations)
            {
                await _metadata.PutReaderAsync(logId, readerId, new ReaderRecord { SegmentId = segmentId }, fresh.LeaseId, CancellationToken.None).ConfigureAwait(false);
            }

            WatchForLoss(fresh);
            await lost.DisposeAsync().ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is WoodpeckerException or LeaseNotFoundException or TimeoutException)
        {
            GrainLog.ReaderLeaseFailed(_logger, ex);
            _ = RetryLaterAsync(lost);
        }
        finally
        {
            _renewing.Release();
        }
    }

    private async Task RetryLaterAsync(LeaseKeeper lost)
    {
        await Task.Delay(TimeSpan.FromSeconds(1), _time).ConfigureAwait(false);
        await RenewAsync(lost).ConfigureAwait(false);
    }
}
