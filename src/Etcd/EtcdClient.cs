using System.Net;
using System.Net.Http.Headers;
using System.Net.Security;
using System.Runtime.CompilerServices;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Woodpecker.Etcd.Protocol;

namespace Woodpecker.Etcd;

/// <summary>
/// etcd's v3 API through the JSON gateway that etcd 3.4+ serves on its client port. Every unary call is bounded by
/// <see cref="EtcdClientOptions.CallTimeout"/>, fails over between endpoints, and retries a bounded number of times —
/// writes only when they cannot have reached the server. Thread-safe; share one per process.
/// </summary>
public sealed class EtcdClient : IDisposable
{
    private static readonly MediaTypeHeaderValue JsonMediaType = new("application/json");

    private readonly EtcdClientOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly HttpClient _http;
    private readonly Uri[] _endpoints;
    private readonly SemaphoreSlim _authenticating = new(1, 1);
    private int _current;
    private string? _token;

    /// <summary>Creates a client. No connection is made until the first call.</summary>
    public EtcdClient(EtcdClientOptions options, TimeProvider? timeProvider = null, ILogger? logger = null)
    {
        options.Validate();
        _options = options;
        _time = timeProvider ?? TimeProvider.System;
        _logger = logger ?? NullLogger.Instance;
        _endpoints = options.Endpoints.Select(e => new Uri(e.TrimEnd('/') + "/", UriKind.Absolute)).ToArray();
        _http = new HttpClient(CreateHandler(options), disposeHandler: true) { Timeout = Timeout.InfiniteTimeSpan };
    }

    /// <summary>The endpoint the next call goes to first.</summary>
    public Uri CurrentEndpoint => _endpoints[(Volatile.Read(ref _current) & int.MaxValue) % _endpoints.Length];

    /// <summary>Reads a key or a range of keys.</summary>
    public Task<RangeResponse> RangeAsync(RangeRequest request, CancellationToken cancellationToken = default) =>
        CallAsync("v3/kv/range", request, EtcdJsonContext.Default.RangeRequest, EtcdJsonContext.Default.RangeResponse, isWrite: false, cancellationToken);

    /// <summary>Writes a key.</summary>
    public Task<PutResponse> PutAsync(PutRequest request, CancellationToken cancellationToken = default) =>
        CallAsync("v3/kv/put", request, EtcdJsonContext.Default.PutRequest, EtcdJsonContext.Default.PutResponse, isWrite: true, cancellationToken);

    /// <summary>Deletes a key or a range of keys.</summary>
    public Task<DeleteRangeResponse> DeleteRangeAsync(DeleteRangeRequest request, CancellationToken cancellationToken = default) =>
        CallAsync("v3/kv/deleterange", request, EtcdJsonContext.Default.DeleteRangeRequest, EtcdJsonContext.Default.DeleteRangeResponse, isWrite: true, cancellationToken);

    /// <summary>Runs a transaction.</summary>
    public Task<TxnResponse> TxnAsync(TxnRequest request, CancellationToken cancellationToken = default) =>
        CallAsync("v3/kv/txn", request, EtcdJsonContext.Default.TxnRequest, EtcdJsonContext.Default.TxnResponse, isWrite: true, cancellationToken);

    /// <summary>Compacts the key-value history up to <paramref name="revision"/>.</summary>
    public Task CompactAsync(long revision, CancellationToken cancellationToken = default) =>
        CallAsync("v3/kv/compaction", new CompactionRequest { Revision = revision, Physical = true },
            EtcdJsonContext.Default.CompactionRequest, EtcdJsonContext.Default.HeaderOnlyResponse, isWrite: true, cancellationToken);

    /// <summary>Grants a lease of <paramref name="ttlSeconds"/> seconds (etcd may grant more).</summary>
    public Task<LeaseGrantResponse> LeaseGrantAsync(long ttlSeconds, CancellationToken cancellationToken = default) =>
        CallAsync("v3/lease/grant", new LeaseGrantRequest { Ttl = ttlSeconds },
            EtcdJsonContext.Default.LeaseGrantRequest, EtcdJsonContext.Default.LeaseGrantResponse, isWrite: true, cancellationToken);

    /// <summary>Renews a lease; returns the TTL granted, in seconds.</summary>
    /// <exception cref="EtcdException">With <see cref="EtcdErrorKind.LeaseNotFound"/> when the lease is gone.</exception>
    public async Task<long> LeaseKeepAliveAsync(long leaseId, CancellationToken cancellationToken = default)
    {
        // Keep-alive is retried even though it "writes": renewing twice is harmless.
        var message = await CallAsync("v3/lease/keepalive", new LeaseIdRequest { Id = leaseId },
            EtcdJsonContext.Default.LeaseIdRequest, EtcdJsonContext.Default.LeaseKeepAliveStreamMessage, isWrite: false, cancellationToken).ConfigureAwait(false);
        if (message.Error is { } error)
        {
            throw ToException(error, "lease keep-alive");
        }

        return message.Result is { Ttl: > 0 } result
            ? result.Ttl
            : throw new EtcdException($"etcd lease {leaseId:x} does not exist (expired or revoked).", EtcdErrorKind.LeaseNotFound, 5);
    }

    /// <summary>Revokes a lease, deleting its keys. A lease that does not exist is not an error.</summary>
    public async Task LeaseRevokeAsync(long leaseId, CancellationToken cancellationToken = default)
    {
        try
        {
            await CallAsync("v3/lease/revoke", new LeaseIdRequest { Id = leaseId },
                EtcdJsonContext.Default.LeaseIdRequest, EtcdJsonContext.Default.HeaderOnlyResponse, isWrite: false, cancellationToken).ConfigureAwait(false);
        }
        catch (EtcdException ex) when (ex.Kind == EtcdErrorKind.LeaseNotFound)
        {
        }
    }

    /// <summary>The remaining TTL of a lease in seconds, or -1 when it does not exist.</summary>
    public async Task<long> LeaseTimeToLiveAsync(long leaseId, CancellationToken cancellationToken = default) =>
        (await CallAsync("v3/lease/timetolive", new LeaseIdRequest { Id = leaseId },
            EtcdJsonContext.Default.LeaseIdRequest, EtcdJsonContext.Default.LeaseTimeToLiveResponse, isWrite: false, cancellationToken).ConfigureAwait(false)).Ttl;

    /// <summary>
    /// Opens one watch stream and yields its responses until the stream ends or is cancelled. Does not resume by
    /// itself: callers resume from the last seen revision + 1 (see the metadata store).
    /// </summary>
    public async IAsyncEnumerable<WatchResponse> WatchAsync(WatchCreateRequest request, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var endpoint = CurrentEndpoint;
        HttpResponseMessage response;
        try
        {
            using var connect = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            connect.CancelAfter(_options.CallTimeout);
            using var message = await CreateRequestAsync(endpoint, "v3/watch", new WatchRequest { CreateRequest = request }, EtcdJsonContext.Default.WatchRequest, connect.Token).ConfigureAwait(false);
            response = await _http.SendAsync(message, HttpCompletionOption.ResponseHeadersRead, connect.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException || (ex is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            Rotate(endpoint);
            throw new EtcdException($"Opening a watch on {endpoint} failed: {ex.Message}", EtcdErrorKind.Unavailable, 0, ex);
        }

        using (response)
        {
            if (!response.IsSuccessStatusCode)
            {
                throw await ReadErrorAsync(response, "watch", cancellationToken).ConfigureAwait(false);
            }

            var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
            using var reader = new StreamReader(stream, Encoding.UTF8);
            while (true)
            {
                string? line;
                try
                {
                    line = await reader.ReadLineAsync(cancellationToken).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is IOException or HttpRequestException)
                {
                    throw new EtcdException($"The watch stream from {endpoint} broke: {ex.Message}", EtcdErrorKind.Unavailable, 0, ex);
                }

                if (line is null)
                {
                    throw new EtcdException($"The watch stream from {endpoint} ended.", EtcdErrorKind.Unavailable);
                }

                if (line.Length == 0)
                {
                    continue;
                }

                var streamMessage = JsonSerializer.Deserialize(line, EtcdJsonContext.Default.WatchStreamMessage)
                    ?? throw new EtcdException("etcd sent an empty watch message.", EtcdErrorKind.Server);
                if (streamMessage.Error is { } error)
                {
                    throw ToException(error, "watch");
                }

                if (streamMessage.Result is { } result)
                {
                    yield return result;
                }
            }
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _http.Dispose();
        _authenticating.Dispose();
    }

    private async Task<TResponse> CallAsync<TRequest, TResponse>(
        string path, TRequest request, JsonTypeInfo<TRequest> requestType, JsonTypeInfo<TResponse> responseType, bool isWrite, CancellationToken cancellationToken)
    {
        using var deadline = new CancellationTokenSource(_options.CallTimeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, deadline.Token);
        var backoff = _options.RetryBackoff;
        var reauthenticated = false;
        Exception? last = null;
        for (var attempt = 1; attempt <= _options.MaxAttempts; attempt++)
        {
            var endpoint = CurrentEndpoint;
            try
            {
                using var message = await CreateRequestAsync(endpoint, path, request, requestType, linked.Token).ConfigureAwait(false);
                using var response = await _http.SendAsync(message, linked.Token).ConfigureAwait(false);
                if (response.IsSuccessStatusCode)
                {
                    var body = await response.Content.ReadAsStreamAsync(linked.Token).ConfigureAwait(false);
                    return await JsonSerializer.DeserializeAsync(body, responseType, linked.Token).ConfigureAwait(false)
                        ?? throw new EtcdException($"etcd answered {path} with an empty body.", EtcdErrorKind.Server);
                }

                var error = await ReadErrorAsync(response, path, linked.Token).ConfigureAwait(false);
                if (error.Kind == EtcdErrorKind.Unauthorized && _options.Username is not null && !reauthenticated)
                {
                    // Tokens expire; get a new one once per call.
                    reauthenticated = true;
                    _token = null;
                    attempt--;
                    continue;
                }

                if (error.Kind != EtcdErrorKind.Unavailable || isWrite)
                {
                    throw error;
                }

                last = error;
                Rotate(endpoint);
            }
            catch (HttpRequestException ex) when (!isWrite || ex.HttpRequestError is HttpRequestError.ConnectionError or HttpRequestError.NameResolutionError)
            {
                // The request never reached a server (or is safe to repeat): try the next endpoint.
                last = ex;
                Rotate(endpoint);
            }
            catch (HttpRequestException ex)
            {
                Rotate(endpoint);
                throw new EtcdException($"etcd at {endpoint} failed during {path}; the write may or may not have been applied: {ex.Message}", EtcdErrorKind.Unavailable, 0, ex);
            }
            catch (OperationCanceledException ex) when (deadline.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
            {
                Rotate(endpoint);
                throw new EtcdException(
                    $"etcd did not answer {path} within {_options.CallTimeout.TotalSeconds:0.#} s (tried {attempt} of {_options.MaxAttempts} attempts, last at {endpoint})" +
                    (isWrite ? "; the write may or may not have been applied." : "."), EtcdErrorKind.Unavailable, 0, ex);
            }

            if (attempt < _options.MaxAttempts)
            {
                try
                {
                    await Task.Delay(backoff, _time, linked.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException ex) when (deadline.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
                {
                    // The call's time ran out between two attempts: the same outcome as running out during one.
                    throw new EtcdException(
                        $"etcd did not answer {path} within {_options.CallTimeout.TotalSeconds:0.#} s (tried {attempt} of {_options.MaxAttempts} attempts; last error: {last?.Message})" +
                        (isWrite ? "; the write may or may not have been applied." : "."), EtcdErrorKind.Unavailable, 0, ex);
                }

                backoff += backoff;
            }
        }

        throw new EtcdException(
            $"No etcd endpoint answered {path} after {_options.MaxAttempts} attempts ({string.Join(", ", _options.Endpoints)}): {last?.Message}. " +
            "Check that etcd is running and reachable.", EtcdErrorKind.Unavailable, 0, last);
    }

    private async Task<HttpRequestMessage> CreateRequestAsync<TRequest>(Uri endpoint, string path, TRequest request, JsonTypeInfo<TRequest> requestType, CancellationToken cancellationToken)
    {
        var message = new HttpRequestMessage(HttpMethod.Post, new Uri(endpoint, path))
        {
            Content = new ByteArrayContent(JsonSerializer.SerializeToUtf8Bytes(request, requestType)),
        };
        message.Content.Headers.ContentType = JsonMediaType;
        if (_options.Username is not null && path != "v3/auth/authenticate")
        {
            message.Headers.TryAddWithoutValidation("Authorization", await GetTokenAsync(endpoint, cancellationToken).ConfigureAwait(false));
        }

        return message;
    }

    private async Task<string> GetTokenAsync(Uri endpoint, CancellationToken cancellationToken)
    {
        if (_token is { } token)
        {
            return token;
        }

        await _authenticating.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_token is null)
            {
                using var message = await CreateRequestAsync(endpoint, "v3/auth/authenticate",
                    new AuthenticateRequest { Name = _options.Username!, Password = _options.Password! }, EtcdJsonContext.Default.AuthenticateRequest, cancellationToken).ConfigureAwait(false);
                using var response = await _http.SendAsync(message, cancellationToken).ConfigureAwait(false);
                if (!response.IsSuccessStatusCode)
                {
                    var error = await ReadErrorAsync(response, "authenticate", cancellationToken).ConfigureAwait(false);
                    throw new EtcdException($"etcd refused the credentials of user '{_options.Username}': {error.Message}", EtcdErrorKind.Unauthorized, error.GrpcCode, error);
                }

                var body = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
                _token = (await JsonSerializer.DeserializeAsync(body, EtcdJsonContext.Default.AuthenticateResponse, cancellationToken).ConfigureAwait(false))?.Token;
            }

            return _token ?? throw new EtcdException("etcd returned no authentication token.", EtcdErrorKind.Unauthorized);
        }
        finally
        {
            _authenticating.Release();
        }
    }

    private static async Task<EtcdException> ReadErrorAsync(HttpResponseMessage response, string path, CancellationToken cancellationToken)
    {
        var text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        StatusMessage? status = null;
        try
        {
            status = JsonSerializer.Deserialize(text, EtcdJsonContext.Default.StatusMessage);
        }
        catch (JsonException)
        {
            // Not a gateway error body (a proxy's page, for example); report the HTTP status.
        }

        return status is { Code: > 0 }
            ? ToException(status, path)
            : new EtcdException($"etcd answered {path} with HTTP {(int)response.StatusCode}: {Truncate(text)}",
                response.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden ? EtcdErrorKind.Unauthorized
                : (int)response.StatusCode >= 500 ? EtcdErrorKind.Unavailable : EtcdErrorKind.InvalidRequest);
    }

    private static EtcdException ToException(StatusMessage status, string path)
    {
        var text = status.Message ?? status.Error ?? "unknown error";
        var kind = status.Code switch
        {
            5 when text.Contains("lease", StringComparison.OrdinalIgnoreCase) => EtcdErrorKind.LeaseNotFound,
            11 when text.Contains("compacted", StringComparison.OrdinalIgnoreCase) => EtcdErrorKind.Compacted,
            3 when text.Contains("user name", StringComparison.OrdinalIgnoreCase)
                || text.Contains("authentication", StringComparison.OrdinalIgnoreCase)
                || text.Contains("auth token", StringComparison.OrdinalIgnoreCase) => EtcdErrorKind.Unauthorized,
            3 => EtcdErrorKind.InvalidRequest,
            7 or 16 => EtcdErrorKind.Unauthorized,
            4 or 14 => EtcdErrorKind.Unavailable,
            _ when text.Contains("invalid auth token", StringComparison.OrdinalIgnoreCase) => EtcdErrorKind.Unauthorized,
            _ => EtcdErrorKind.Server,
        };
        var hint = kind == EtcdErrorKind.Unauthorized ? " Set EtcdClientOptions.Username and Password for a user allowed to use these keys." : "";
        return new EtcdException($"etcd refused {path}: {text}.{hint}", kind, status.Code);
    }

    private void Rotate(Uri failed)
    {
        // Move on only if nobody moved already, so concurrent failures advance one endpoint, not several.
        var index = Array.IndexOf(_endpoints, failed);
        Interlocked.CompareExchange(ref _current, index + 1, index);
        EtcdLog.EndpointFailed(_logger, failed);
    }

    private static string Truncate(string text) => text.Length <= 200 ? text : text[..200] + "…";

    private static SocketsHttpHandler CreateHandler(EtcdClientOptions options)
    {
        var handler = new SocketsHttpHandler
        {
            ConnectTimeout = options.ConnectTimeout,
            PooledConnectionIdleTimeout = TimeSpan.FromSeconds(30),
            KeepAlivePingPolicy = HttpKeepAlivePingPolicy.WithActiveRequests,
            EnableMultipleHttp2Connections = true,
        };
        if (options.TrustedCaFile is not null)
        {
            var roots = new X509Certificate2Collection();
            roots.ImportFromPemFile(options.TrustedCaFile);
            handler.SslOptions.RemoteCertificateValidationCallback = (_, certificate, _, errors) =>
            {
                if (certificate is null)
                {
                    return false;
                }

                if (errors == SslPolicyErrors.None)
                {
                    return true;
                }

                using var chain = new X509Chain();
                chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
                chain.ChainPolicy.CustomTrustStore.AddRange(roots);
                chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
                return (errors & ~SslPolicyErrors.RemoteCertificateChainErrors) == SslPolicyErrors.None
                    && chain.Build(new X509Certificate2(certificate));
            };
        }

        if (options.ClientCertificateFile is not null)
        {
            handler.SslOptions.ClientCertificates = [X509Certificate2.CreateFromPemFile(options.ClientCertificateFile, options.ClientKeyFile)];
        }

        return handler;
    }
}
