using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Woodpecker.Errors;
using Woodpecker.Etcd;
using Woodpecker.Etcd.Protocol;
using Woodpecker.Metadata.Abstractions;

namespace Woodpecker.Metadata.Etcd;

/// <summary>
/// <see cref="IMetadataStore"/> on etcd. The mapping is direct (etcd defined these semantics); what this class adds
/// is error translation and watches that survive broken connections by resuming from the last seen revision + 1.
/// </summary>
public sealed class EtcdMetadataStore : IMetadataStore
{
    private readonly EtcdClient _client;
    private readonly bool _ownsClient;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    /// <summary>Creates a store on a new client with <paramref name="options"/>.</summary>
    public EtcdMetadataStore(EtcdClientOptions options, TimeProvider? timeProvider = null, ILogger? logger = null)
        : this(new EtcdClient(options, timeProvider, logger), ownsClient: true, timeProvider, logger)
    {
    }

    /// <summary>Creates a store on an existing client.</summary>
    public EtcdMetadataStore(EtcdClient client, bool ownsClient, TimeProvider? timeProvider = null, ILogger? logger = null)
    {
        _client = client;
        _ownsClient = ownsClient;
        _time = timeProvider ?? TimeProvider.System;
        _logger = logger ?? NullLogger.Instance;
    }

    /// <summary>Longest pause between attempts to re-open a broken watch. Default 2 s.</summary>
    public TimeSpan MaxWatchRetryDelay { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>The underlying client.</summary>
    public EtcdClient Client => _client;

    /// <inheritdoc />
    public async Task<KeyValue?> GetAsync(string key, CancellationToken cancellationToken = default)
    {
        var response = await Run(() => _client.RangeAsync(new RangeRequest { Key = EtcdKeys.Encode(key) }, cancellationToken), "read", key).ConfigureAwait(false);
        return response.Kvs.Count == 0 ? null : ToKeyValue(response.Kvs[0]);
    }

    /// <inheritdoc />
    public async Task<RangeResult> RangeAsync(string prefix, string? startAfter = null, int limit = 0, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(limit);
        var (start, end) = EtcdKeys.PrefixRange(prefix);
        if (startAfter is not null && string.CompareOrdinal(startAfter, prefix) >= 0)
        {
            start = EtcdKeys.After(startAfter);
        }

        var response = await Run(() => _client.RangeAsync(new RangeRequest { Key = start, RangeEnd = end, Limit = limit }, cancellationToken), "range", prefix).ConfigureAwait(false);
        return new RangeResult(response.Kvs.Select(ToKeyValue).ToList(), response.More, response.Header.Revision);
    }

    /// <inheritdoc />
    public async Task<TxnResult> TxnAsync(Txn txn, CancellationToken cancellationToken = default)
    {
        var request = new TxnRequest();
        request.Compare.AddRange(txn.Compares.Select(ToCompare));
        request.Success.AddRange(txn.Success.Select(ToRequestOp));
        request.Failure.AddRange(txn.Failure.Select(ToRequestOp));
        var lease = txn.Success.Concat(txn.Failure).OfType<PutOp>().FirstOrDefault(p => p.LeaseId != 0)?.LeaseId ?? 0;
        var response = await Run(() => _client.TxnAsync(request, cancellationToken), "transaction", txn.Compares.FirstOrDefault()?.Key ?? "", lease).ConfigureAwait(false);
        var ops = response.Succeeded ? txn.Success : txn.Failure;
        var results = new List<TxnOpResult>(ops.Count);
        for (var i = 0; i < ops.Count; i++)
        {
            var op = i < response.Responses.Count ? response.Responses[i] : new ResponseOp();
            results.Add(ops[i] switch
            {
                GetOp => new TxnOpResult(op.ResponseRange is { Kvs.Count: > 0 } range ? ToKeyValue(range.Kvs[0]) : null, 0),
                DeleteOp => new TxnOpResult(null, op.ResponseDeleteRange?.Deleted ?? 0),
                _ => new TxnOpResult(null, 0),
            });
        }

        return new TxnResult(response.Succeeded, response.Header.Revision, results);
    }

    /// <inheritdoc />
    public async Task<long> PutAsync(string key, ReadOnlyMemory<byte> value, long leaseId = 0, CancellationToken cancellationToken = default) =>
        (await Run(() => _client.PutAsync(new PutRequest { Key = EtcdKeys.Encode(key), Value = value.ToArray(), Lease = leaseId }, cancellationToken), "write", key, leaseId).ConfigureAwait(false)).Header.Revision;

    /// <inheritdoc />
    public async Task<long> DeleteAsync(string key, CancellationToken cancellationToken = default) =>
        (await Run(() => _client.DeleteRangeAsync(new DeleteRangeRequest { Key = EtcdKeys.Encode(key) }, cancellationToken), "delete", key).ConfigureAwait(false)).Deleted;

    /// <inheritdoc />
    public async Task<long> DeletePrefixAsync(string prefix, CancellationToken cancellationToken = default)
    {
        var (start, end) = EtcdKeys.PrefixRange(prefix);
        return (await Run(() => _client.DeleteRangeAsync(new DeleteRangeRequest { Key = start, RangeEnd = end }, cancellationToken), "delete", prefix).ConfigureAwait(false)).Deleted;
    }

    /// <inheritdoc />
    public async Task<LeaseGrant> GrantLeaseAsync(TimeSpan ttl, CancellationToken cancellationToken = default)
    {
        if (ttl <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(ttl), "A lease's TTL must be positive.");
        }

        var seconds = Math.Max(1, (long)Math.Ceiling(ttl.TotalSeconds)); // etcd grants whole seconds
        var response = await Run(() => _client.LeaseGrantAsync(seconds, cancellationToken), "lease grant", "").ConfigureAwait(false);
        return new LeaseGrant(response.Id, TimeSpan.FromSeconds(response.Ttl));
    }

    /// <inheritdoc />
    public async Task<TimeSpan> KeepAliveAsync(long leaseId, CancellationToken cancellationToken = default) =>
        TimeSpan.FromSeconds(await Run(() => _client.LeaseKeepAliveAsync(leaseId, cancellationToken), "lease keep-alive", "", leaseId).ConfigureAwait(false));

    /// <inheritdoc />
    public Task RevokeLeaseAsync(long leaseId, CancellationToken cancellationToken = default) =>
        Run(async () =>
        {
            await _client.LeaseRevokeAsync(leaseId, cancellationToken).ConfigureAwait(false);
            return true;
        }, "lease revoke", "", leaseId);

    /// <inheritdoc />
    public async IAsyncEnumerable<WatchEvent> WatchAsync(string prefix, long fromRevision = 0, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var next = fromRevision > 0
            ? fromRevision
            : (await RangeAsync(prefix, limit: 1, cancellationToken: cancellationToken).ConfigureAwait(false)).Revision + 1;
        var (start, end) = EtcdKeys.PrefixRange(prefix);
        var delay = TimeSpan.FromMilliseconds(50);
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var stream = _client.WatchAsync(new WatchCreateRequest { Key = start, RangeEnd = end, StartRevision = next }, cancellationToken)
                .GetAsyncEnumerator(cancellationToken);
            try
            {
                while (true)
                {
                    WatchResponse response;
                    try
                    {
                        if (!await stream.MoveNextAsync().ConfigureAwait(false))
                        {
                            break;
                        }

                        response = stream.Current;
                    }
                    catch (EtcdException ex) when (ex.Kind is EtcdErrorKind.Unavailable or EtcdErrorKind.Server)
                    {
                        // A broken stream: resume from the revision after the last event delivered.
                        MetadataLog.WatchInterrupted(_logger, prefix, next, ex);
                        break;
                    }
                    catch (EtcdException ex) when (ex.Kind == EtcdErrorKind.Compacted)
                    {
                        throw new WatchCompactedException(next, next - 1);
                    }

                    if (response.Canceled)
                    {
                        if (response.CompactRevision > 0)
                        {
                            throw new WatchCompactedException(next, response.CompactRevision);
                        }

                        break; // cancelled by the server for another reason: re-open
                    }

                    delay = TimeSpan.FromMilliseconds(50);
                    foreach (var e in response.Events)
                    {
                        var kv = ToKeyValue(e.Kv);
                        next = Math.Max(next, kv.ModRevision + 1);
                        yield return new WatchEvent(e.Type == "DELETE" ? WatchEventKind.Delete : WatchEventKind.Put, kv);
                    }
                }
            }
            finally
            {
                await stream.DisposeAsync().ConfigureAwait(false);
            }

            await Task.Delay(delay, _time, cancellationToken).ConfigureAwait(false);
            delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, MaxWatchRetryDelay.Ticks));
        }
    }

    /// <summary>Compacts etcd's history below <paramref name="revision"/> (watches from older revisions then fail).</summary>
    public Task CompactAsync(long revision, CancellationToken cancellationToken = default) =>
        Run(async () =>
        {
            await _client.CompactAsync(revision, cancellationToken).ConfigureAwait(false);
            return true;
        }, "compaction", "");

    /// <inheritdoc />
    public ValueTask DisposeAsync()
    {
        if (_ownsClient)
        {
            _client.Dispose();
        }

        return ValueTask.CompletedTask;
    }

    private static async Task<T> Run<T>(Func<Task<T>> call, string what, string key, long leaseId = 0)
    {
        try
        {
            return await call().ConfigureAwait(false);
        }
        catch (EtcdException ex) when (ex.Kind == EtcdErrorKind.LeaseNotFound)
        {
            throw new LeaseNotFoundException(leaseId);
        }
        catch (EtcdException ex) when (ex.Kind == EtcdErrorKind.InvalidRequest && ex.Message.Contains("duplicate key", StringComparison.OrdinalIgnoreCase))
        {
            throw new ArgumentException($"A transaction may not write the same key twice: {ex.Message}", ex);
        }
        catch (EtcdException ex)
        {
            throw new MetadataUnavailableException($"The etcd {what}{(key.Length > 0 ? $" of '{key}'" : "")} failed: {ex.Message}", ex);
        }
    }

    private static KeyValue ToKeyValue(KeyValueMessage kv) =>
        new(EtcdKeys.Decode(kv.Key), kv.Value, kv.CreateRevision, kv.ModRevision, kv.Version, kv.Lease);

    private static CompareMessage ToCompare(Compare compare)
    {
        var message = new CompareMessage
        {
            Key = EtcdKeys.Encode(compare.Key),
            Result = compare.Operator switch
            {
                CompareOperator.Equal => "EQUAL",
                CompareOperator.NotEqual => "NOT_EQUAL",
                CompareOperator.Greater => "GREATER",
                _ => "LESS",
            },
        };
        switch (compare.Target)
        {
            case CompareTarget.Value:
                message.Target = "VALUE";
                message.Value = compare.Value.ToArray();
                break;
            case CompareTarget.Version:
                message.Target = "VERSION";
                message.Version = compare.Number;
                break;
            case CompareTarget.CreateRevision:
                message.Target = "CREATE";
                message.CreateRevision = compare.Number;
                break;
            default:
                message.Target = "MOD";
                message.ModRevision = compare.Number;
                break;
        }

        return message;
    }

    private static RequestOp ToRequestOp(TxnOp op) => op switch
    {
        PutOp put => new RequestOp { RequestPut = new PutRequest { Key = EtcdKeys.Encode(put.Key), Value = put.Value.ToArray(), Lease = put.LeaseId } },
        DeleteOp { IsPrefix: true } delete => new RequestOp { RequestDeleteRange = PrefixDelete(delete.Key) },
        DeleteOp delete => new RequestOp { RequestDeleteRange = new DeleteRangeRequest { Key = EtcdKeys.Encode(delete.Key) } },
        GetOp get => new RequestOp { RequestRange = new RangeRequest { Key = EtcdKeys.Encode(get.Key) } },
        _ => throw new ArgumentException($"Unknown transaction operation {op.GetType().Name}.", nameof(op)),
    };

    private static DeleteRangeRequest PrefixDelete(string prefix)
    {
        var (start, end) = EtcdKeys.PrefixRange(prefix);
        return new DeleteRangeRequest { Key = start, RangeEnd = end };
    }
}
