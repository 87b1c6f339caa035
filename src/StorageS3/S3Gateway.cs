using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Net;
using Amazon.Runtime;
using Amazon.Runtime.Credentials;
using Amazon.S3;
using Amazon.S3.Model;
using Microsoft.Extensions.Logging;
using Woodpecker.Errors;
using Woodpecker.Storage.Abstractions;

namespace Woodpecker.Storage.S3;

/// <summary>
/// Every request to the object store goes through here: a timeout per attempt, bounded retries with jittered
/// exponential backoff for throttling (503 SlowDown), server errors, timeouts and broken connections, typed errors
/// when retries run out, and a count of every attempt per log (each one is billed). The SDK's own retries are off so
/// that this is the one place that decides.
/// </summary>
internal sealed class S3Gateway : IDisposable
{
    private static readonly Meter Meter = new("Woodpecker.Storage");
    private static readonly Counter<long> Requests = Meter.CreateCounter<long>("woodpecker.storage.requests", description: "Object storage requests, by kind (every attempt)");

    private readonly AmazonS3Client _client;
    private readonly S3StorageOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<long, StorageRequestCounts> _perLog = new();
    private readonly string _description;

    public S3Gateway(S3StorageOptions options, TimeProvider time, ILogger logger)
    {
        _options = options;
        _time = time;
        _logger = logger;
        _description = $"{options.ServiceUrl ?? $"AWS S3 ({options.Region})"}, bucket '{options.Bucket}'";
        _client = S3Clients.Create(options);
    }

    public StorageRequestCounts Total { get; } = new();

    /// <summary>True once the probe found that the store honours If-None-Match: * on uploads.</summary>
    public bool ConditionalWrites { get; private set; }

    public StorageRequestCounts CountsFor(long logId) => _perLog.GetOrAdd(logId, _ => new StorageRequestCounts());

    /// <summary>Checks the bucket (creating it when allowed) and whether conditional writes work.</summary>
    public async Task StartAsync(S3Keys keys, CancellationToken cancellationToken)
    {
        if (_options.AccessKey is null)
        {
            // Resolve the SDK's default credential chain once, up front: missing credentials are a configuration
            // error to report at once, not a transient failure for every request to retry.
            try
            {
                await DefaultAWSCredentialsIdentityResolver.GetCredentialsAsync(_client.Config).ConfigureAwait(false);
            }
            catch (AmazonClientException ex)
            {
                throw new StorageUnavailableException(
                    $"No AWS credentials for {Describe()}: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (or AWS_PROFILE), " +
                    $"or S3StorageOptions.AccessKey and SecretKey. The SDK said: {ex.Message.Split(" The credential providers", 2)[0]}", ex);
            }
        }

        // A one-key listing under our prefix, not the SDK's DoesS3BucketExistV2 (which reads the bucket ACL, a call
        // s3rver and some S3-compatible stores do not implement): it needs only the permission the log needs anyway.
        var exists = await RunAsync("checking the bucket", StorageRequestKind.List, -1, async ct =>
        {
            try
            {
                await _client.ListObjectsV2Async(
                    new ListObjectsV2Request { BucketName = _options.Bucket, Prefix = keys.Root, MaxKeys = 1 }, ct).ConfigureAwait(false);
                return true;
            }
            catch (AmazonS3Exception ex) when (ex.ErrorCode == "NoSuchBucket")
            {
                return false;
            }
        }, cancellationToken).ConfigureAwait(false);
        if (!exists)
        {
            if (!_options.CreateBucketIfMissing)
            {
                throw new StorageUnavailableException(
                    $"The bucket '{_options.Bucket}' does not exist at {Describe()}. Create it, or let Woodpecker create it (S3StorageOptions.CreateBucketIfMissing; wp --s3-create-bucket).");
            }

            await RunAsync("creating the bucket", StorageRequestKind.Put, -1,
                ct => _client.PutBucketAsync(new PutBucketRequest { BucketName = _options.Bucket }, ct), cancellationToken).ConfigureAwait(false);
        }

        if (_options.ConditionalWrites == S3ConditionalWrites.Auto)
        {
            // Write the same key twice with If-None-Match: *; a store that honours it refuses the second write.
            var probe = keys.ProbeKey;
            await PutAsync(probe, "probe"u8.ToArray(), ifNoneMatch: true, -1, cancellationToken, force: true).ConfigureAwait(false);
            ConditionalWrites = !await PutAsync(probe, "probe"u8.ToArray(), ifNoneMatch: true, -1, cancellationToken, force: true).ConfigureAwait(false);
            await DeleteAsync([probe], -1, cancellationToken).ConfigureAwait(false);
            S3Log.ConditionalWrites(_logger, _description, ConditionalWrites);
        }
    }

    /// <summary>Uploads an object. With <paramref name="ifNoneMatch"/> (when the store supports it) returns false instead of overwriting.</summary>
    public Task<bool> PutAsync(string key, ReadOnlyMemory<byte> body, bool ifNoneMatch, long logId, CancellationToken cancellationToken, bool force = false) =>
        RunAsync($"uploading '{key}'", StorageRequestKind.Put, logId, async ct =>
        {
            var request = new PutObjectRequest
            {
                BucketName = _options.Bucket,
                Key = key,
                InputStream = AsStream(body),
                UseChunkEncoding = false,
                AutoCloseStream = true,
            };
            if (ifNoneMatch && (ConditionalWrites || force))
            {
                request.IfNoneMatch = "*";
            }

            try
            {
                await _client.PutObjectAsync(request, ct).ConfigureAwait(false);
                return true;
            }
            catch (AmazonS3Exception ex) when (ex.StatusCode == HttpStatusCode.PreconditionFailed)
            {
                return false;
            }
        }, cancellationToken);

    /// <summary>Downloads an object (or a range of it); null when it does not exist.</summary>
    public Task<byte[]?> GetAsync(string key, long offset, long length, long logId, CancellationToken cancellationToken) =>
        RunAsync($"downloading '{key}'", StorageRequestKind.Get, logId, async ct =>
        {
            var request = new GetObjectRequest { BucketName = _options.Bucket, Key = key };
            if (length >= 0)
            {
                request.ByteRange = new ByteRange(offset, offset + length - 1);
            }

            try
            {
                using var response = await _client.GetObjectAsync(request, ct).ConfigureAwait(false);
                var expected = length >= 0 ? length : response.ContentLength;
                var buffer = GC.AllocateUninitializedArray<byte>(checked((int)expected));
                var read = 0;
                while (read < buffer.Length)
                {
                    var n = await response.ResponseStream.ReadAsync(buffer.AsMemory(read), ct).ConfigureAwait(false);
                    if (n == 0)
                    {
                        // A body cut short is a broken transfer, not data: retry it.
                        throw new IOException($"The response body of '{key}' ended after {read} of {buffer.Length} bytes.");
                    }

                    read += n;
                }

                return buffer;
            }
            catch (AmazonS3Exception ex) when (ex.StatusCode == HttpStatusCode.NotFound)
            {
                return null;
            }
        }, cancellationToken);

    /// <summary>True when the object exists.</summary>
    public Task<bool> ExistsAsync(string key, long logId, CancellationToken cancellationToken) =>
        RunAsync($"checking '{key}'", StorageRequestKind.Head, logId, async ct =>
        {
            try
            {
                await _client.GetObjectMetadataAsync(new GetObjectMetadataRequest { BucketName = _options.Bucket, Key = key }, ct).ConfigureAwait(false);
                return true;
            }
            catch (AmazonS3Exception ex) when (ex.StatusCode == HttpStatusCode.NotFound)
            {
                return false;
            }
        }, cancellationToken);

    /// <summary>Every object under <paramref name="prefix"/>, in key order, with sizes (names relative to the prefix).</summary>
    public async Task<List<SegmentObjectListing>> ListAsync(string prefix, long logId, CancellationToken cancellationToken)
    {
        var objects = new List<SegmentObjectListing>();
        string? continuation = null;
        do
        {
            var page = await RunAsync($"listing '{prefix}'", StorageRequestKind.List, logId,
                ct => _client.ListObjectsV2Async(new ListObjectsV2Request { BucketName = _options.Bucket, Prefix = prefix, ContinuationToken = continuation }, ct),
                cancellationToken).ConfigureAwait(false);
            foreach (var item in page.S3Objects ?? [])
            {
                objects.Add(new SegmentObjectListing(item.Key[prefix.Length..], item.Size ?? 0));
            }

            continuation = page.IsTruncated == true ? page.NextContinuationToken : null;
        }
        while (continuation is not null);

        objects.Sort((a, b) => string.CompareOrdinal(a.Name, b.Name));
        return objects;
    }

    /// <summary>Deletes objects (in batches of 1,000). Missing objects are not an error.</summary>
    public async Task DeleteAsync(IReadOnlyList<string> keys, long logId, CancellationToken cancellationToken)
    {
        for (var at = 0; at < keys.Count; at += 1000)
        {
            var batch = keys.Skip(at).Take(1000).Select(k => new KeyVersion { Key = k }).ToList();
            var response = await RunAsync($"deleting {batch.Count} objects", StorageRequestKind.Delete, logId,
                ct => _client.DeleteObjectsAsync(new DeleteObjectsRequest { BucketName = _options.Bucket, Objects = batch, Quiet = true }, ct),
                cancellationToken).ConfigureAwait(false);
            if (response.DeleteErrors is { Count: > 0 } errors)
            {
                throw new StorageUnavailableException(
                    $"Deleting objects in '{_options.Bucket}' failed for {errors.Count} of them, e.g. '{errors[0].Key}': {errors[0].Code} {errors[0].Message}");
            }
        }
    }

    public void Dispose() => _client.Dispose();

    private async Task<T> RunAsync<T>(string what, StorageRequestKind kind, long logId, Func<CancellationToken, Task<T>> attempt, CancellationToken cancellationToken)
    {
        var delay = _options.RetryBaseDelay;
        Exception? last = null;
        for (var i = 1; i <= _options.MaxAttempts; i++)
        {
            Total.Add(kind);
            if (logId >= 0)
            {
                CountsFor(logId).Add(kind);
            }

            Requests.Add(1, new KeyValuePair<string, object?>("kind", kind.ToString()));
            using var timeout = new CancellationTokenSource(_options.RequestTimeout, _time);
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
            try
            {
                return await attempt(linked.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (!cancellationToken.IsCancellationRequested && IsTransient(ex))
            {
                last = ex;
                S3Log.RequestRetried(_logger, what, i, _options.MaxAttempts, ex.Message);
            }
            catch (AmazonS3Exception ex)
            {
                throw new StorageUnavailableException($"The object store refused {what} ({(int)ex.StatusCode} {ex.ErrorCode}: {ex.Message}). {Hint(ex)}", ex);
            }

            if (i < _options.MaxAttempts)
            {
                var jittered = TimeSpan.FromTicks((long)(delay.Ticks * (0.5 + Random.Shared.NextDouble())));
                await Task.Delay(jittered, _time, cancellationToken).ConfigureAwait(false);
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, _options.MaxRetryDelay.Ticks));
            }
        }

        throw new StorageUnavailableException(
            $"The object store at {Describe()} failed {what} {_options.MaxAttempts} times; the last error: {last?.Message.TrimEnd('.')}. " +
            "Check that it is reachable and not overloaded.", last);
    }

    private static bool IsTransient(Exception error) => error switch
    {
        // 501 Not Implemented and 505 say the store cannot do this at all: retrying only delays the clear error.
        AmazonS3Exception { StatusCode: HttpStatusCode.NotImplemented or HttpStatusCode.HttpVersionNotSupported } => false,
        AmazonS3Exception s3 => (int)s3.StatusCode >= 500 || s3.StatusCode is HttpStatusCode.RequestTimeout or HttpStatusCode.TooManyRequests
                                || s3.ErrorCode is "SlowDown" or "RequestTimeout" or "InternalError",
        AmazonServiceException service => service.StatusCode == 0 || (int)service.StatusCode >= 500 || service.InnerException is IOException or HttpRequestException,
        IOException or HttpRequestException or TimeoutException => true,
        // The SDK failing to parse an answer (a malformed ETag or checksum header: s3rver answering for an object
        // deleted while it was read) is a bad response, not a verdict: the attempt is retried like a broken one.
        ArgumentException or FormatException when error.TargetSite?.DeclaringType?.Namespace?.StartsWith("Amazon", StringComparison.Ordinal) == true => true,
        OperationCanceledException => true, // our per-attempt timeout (the caller's token is checked separately)
        AmazonClientException => true,
        _ => false,
    };

    private static string Hint(AmazonS3Exception error) => error.StatusCode switch
    {
        HttpStatusCode.Forbidden => "Check the credentials and the bucket policy.",
        HttpStatusCode.NotFound => "Check the bucket name.",
        _ => "",
    };

    private string Describe() => _description;

    private static MemoryStream AsStream(ReadOnlyMemory<byte> body) =>
        System.Runtime.InteropServices.MemoryMarshal.TryGetArray(body, out var segment)
            ? new MemoryStream(segment.Array!, segment.Offset, segment.Count, writable: false)
            : new MemoryStream(body.ToArray(), writable: false);
}

/// <summary>An object found by a listing: its name relative to the listed prefix, and its size.</summary>
internal sealed record SegmentObjectListing(string Name, long Size);
