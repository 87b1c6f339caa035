using System.Globalization;
using System.Net;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Woodpecker.TestingHost;

/// <summary>
/// A fault-injecting HTTP reverse proxy on a free loopback port, in front of a real server (s3rver, etcd's gateway):
/// it forwards every request as sent (method, path and query, headers with the client's Host, so signatures still
/// match, and body) and copies the answer back, except when a fault applies. Faults (<see cref="ProxyFault"/>) are
/// switched at runtime from any thread; each can be limited to a number of requests, to one HTTP method, to paths
/// containing a string, and to every n-th matching request. The proxy counts the requests it saw and the faults it
/// injected.
/// <code>
/// await using var proxy = await FaultProxy.StartAsync(s3rver.Endpoint);
/// proxy.Inject(ProxyFault.SlowDown(count: 3, method: "PUT"));   // the next three PUTs get 503 SlowDown
/// proxy.Inject(ProxyFault.Blackhole());                         // every request hangs ...
/// proxy.Clear();                                                // ... until the faults are cleared
/// </code>
/// </summary>
public sealed class FaultProxy : IAsyncDisposable
{
    // Hop-by-hop headers (RFC 9110 section 7.6.1) are the connection's, not the message's: never forwarded.
    private static readonly HashSet<string> HopByHop = new(StringComparer.OrdinalIgnoreCase)
    {
        "Connection", "Keep-Alive", "Proxy-Connection", "Proxy-Authenticate", "Proxy-Authorization", "TE", "Trailer",
        "Transfer-Encoding", "Upgrade", "Expect",
    };

    private readonly Lock _lock = new();
    private readonly List<ActiveFault> _faults = [];
    private readonly long[] _injectedByKind = new long[Enum.GetValues<ProxyFaultKind>().Length];
    private readonly CancellationTokenSource _disposing = new();
    private readonly HttpClient _http;
    private readonly WebApplication _app;
    private long _requests;
    private long _injected;
    private int _held;
    private int _disposed;

    private FaultProxy(Uri upstream, int port)
    {
        Upstream = upstream;
        Port = port;
        _http = new HttpClient(new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            AutomaticDecompression = DecompressionMethods.None,
            UseCookies = false,
            UseProxy = false,
            PooledConnectionIdleTimeout = TimeSpan.FromSeconds(30),
        })
        {
            Timeout = Timeout.InfiniteTimeSpan,
        };

        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrelCore().ConfigureKestrel(options =>
        {
            options.Listen(IPAddress.Loopback, port);
            options.AddServerHeader = false;
            options.Limits.MaxRequestBodySize = null;
            options.Limits.MinRequestBodyDataRate = null;
            options.Limits.MinResponseDataRate = null;
        });
        builder.Services.Configure<KestrelServerOptions>(options => options.AllowSynchronousIO = false);
        _app = builder.Build();
        _app.Run(HandleAsync);
    }

    /// <summary>The port on 127.0.0.1 the proxy listens on.</summary>
    public int Port { get; }

    /// <summary>The proxy's URL: give it to the client instead of <see cref="Upstream"/>.</summary>
    public string Endpoint => $"http://127.0.0.1:{Port.ToString(CultureInfo.InvariantCulture)}";

    /// <summary>The server requests are forwarded to.</summary>
    public Uri Upstream { get; }

    /// <summary>Requests the proxy received, faulted or not.</summary>
    public long RequestCount => Interlocked.Read(ref _requests);

    /// <summary>Faults injected so far, of every kind.</summary>
    public long FaultCount => Interlocked.Read(ref _injected);

    /// <summary>Requests currently held by a <see cref="ProxyFaultKind.Blackhole"/> fault.</summary>
    public int HeldRequests => Volatile.Read(ref _held);

    /// <summary>Starts a proxy in front of <paramref name="upstream"/> (an http:// base URL such as <see cref="S3rverServer.Endpoint"/>).</summary>
    public static async Task<FaultProxy> StartAsync(string upstream, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(upstream);
        if (!Uri.TryCreate(upstream, UriKind.Absolute, out var uri) || uri.Scheme != Uri.UriSchemeHttp)
        {
            throw new ArgumentException($"The upstream '{upstream}' is not an absolute http:// URL.", nameof(upstream));
        }

        // Another process may take the port between FreePorts.Next and the bind: try a few.
        for (var attempt = 1; ; attempt++)
        {
            var proxy = new FaultProxy(uri, FreePorts.Next());
            try
            {
                await proxy._app.StartAsync(cancellationToken).ConfigureAwait(false);
                return proxy;
            }
            catch (IOException) when (attempt < 5)
            {
                await proxy.DisposeAsync().ConfigureAwait(false);
            }
            catch
            {
                await proxy.DisposeAsync().ConfigureAwait(false);
                throw;
            }
        }
    }

    /// <summary>
    /// Adds a fault. Faults apply in the order they were added: a request gets the first one that matches it and
    /// has requests left. A fault with a count is removed once it has been injected that many times.
    /// </summary>
    public void Inject(ProxyFault fault)
    {
        ArgumentNullException.ThrowIfNull(fault);
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) == 1, this);
        lock (_lock)
        {
            _faults.Add(new ActiveFault(fault));
        }
    }

    /// <summary>Removes one fault added by <see cref="Inject"/>; requests it holds (blackhole, delay) go on now.</summary>
    /// <returns>False when the fault was not active (never added, removed already, or used up and neither a blackhole nor a delay).</returns>
    public bool Remove(ProxyFault fault)
    {
        ActiveFault? removed;
        lock (_lock)
        {
            removed = _faults.Find(f => ReferenceEquals(f.Fault, fault));
            if (removed is not null)
            {
                _faults.Remove(removed);
            }
        }

        removed?.Release();
        return removed is not null;
    }

    /// <summary>Removes every fault; requests held by a blackhole are forwarded now, and delayed answers sent now.</summary>
    public void Clear()
    {
        ActiveFault[] removed;
        lock (_lock)
        {
            removed = [.. _faults];
            _faults.Clear();
        }

        foreach (var fault in removed)
        {
            fault.Release();
        }
    }

    /// <summary>Faults of <paramref name="kind"/> injected so far.</summary>
    public long FaultCountOf(ProxyFaultKind kind) => Interlocked.Read(ref _injectedByKind[(int)kind]);

    /// <summary>Stops the proxy: held requests and open connections are aborted.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        await _disposing.CancelAsync().ConfigureAwait(false);
        try
        {
            using var stopping = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            await _app.StopAsync(stopping.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }

        await _app.DisposeAsync().ConfigureAwait(false);
        _http.Dispose();
        _disposing.Dispose();
    }

    private (ProxyFault Fault, Task Released)? Match(HttpRequest request)
    {
        lock (_lock)
        {
            for (var i = 0; i < _faults.Count; i++)
            {
                var active = _faults[i];
                var fault = active.Fault;
                if (active.UsedUp)
                {
                    continue;
                }

                if (fault.Method is { } method && !string.Equals(method, request.Method, StringComparison.OrdinalIgnoreCase))
                {
                    continue;
                }

                if (fault.PathContains is { } part && !(request.Path.Value ?? "").Contains(part, StringComparison.Ordinal))
                {
                    continue;
                }

                active.Matched++;
                if (active.Matched % fault.Every != 0)
                {
                    continue;
                }

                active.Injected++;
                if (fault.Count is { } count && active.Injected >= count)
                {
                    // A used-up blackhole or delay stays listed (matching nothing) so that Remove and Clear release what it holds.
                    active.UsedUp = true;
                    if (fault.Kind is not ProxyFaultKind.Blackhole and not ProxyFaultKind.Delay)
                    {
                        _faults.RemoveAt(i);
                    }
                }

                Interlocked.Increment(ref _injected);
                Interlocked.Increment(ref _injectedByKind[(int)fault.Kind]);
                return (fault, active.Released);
            }
        }

        return null;
    }

    private async Task HandleAsync(HttpContext context)
    {
        Interlocked.Increment(ref _requests);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, _disposing.Token);
        var cancellationToken = linked.Token;
        try
        {
            if (Match(context.Request) is not { } matched)
            {
                await ForwardAsync(context, truncate: false, delay: TimeSpan.Zero, released: null, cancellationToken).ConfigureAwait(false);
                return;
            }

            var fault = matched.Fault;
            switch (fault.Kind)
            {
                case ProxyFaultKind.SlowDown:
                    await ErrorAsync(context, HttpStatusCode.ServiceUnavailable, "SlowDown", "Please reduce your request rate.", cancellationToken).ConfigureAwait(false);
                    break;
                case ProxyFaultKind.InternalError:
                    await ErrorAsync(context, HttpStatusCode.InternalServerError, "InternalError", "We encountered an internal error. Please try again.", cancellationToken).ConfigureAwait(false);
                    break;
                case ProxyFaultKind.Delay:
                    await ForwardAsync(context, truncate: false, fault.Delay, matched.Released, cancellationToken).ConfigureAwait(false);
                    break;
                case ProxyFaultKind.Drop:
                    if (fault.ForwardFirst)
                    {
                        // The server does the work; only its answer is lost.
                        using var request = BuildRequest(context);
                        using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseContentRead, cancellationToken).ConfigureAwait(false);
                    }

                    context.Abort();
                    break;
                case ProxyFaultKind.Truncate:
                    await ForwardAsync(context, truncate: true, delay: TimeSpan.Zero, released: null, cancellationToken).ConfigureAwait(false);
                    break;
                case ProxyFaultKind.Blackhole:
                    Interlocked.Increment(ref _held);
                    try
                    {
                        await matched.Released.WaitAsync(cancellationToken).ConfigureAwait(false);
                    }
                    finally
                    {
                        Interlocked.Decrement(ref _held);
                    }

                    await ForwardAsync(context, truncate: false, delay: TimeSpan.Zero, released: null, cancellationToken).ConfigureAwait(false);
                    break;
                default:
                    throw new InvalidOperationException($"Unknown fault kind {fault.Kind}.");
            }
        }
        catch (OperationCanceledException)
        {
            // The client went away, or the proxy is stopping.
            context.Abort();
        }
        catch (HttpRequestException)
        {
            // The upstream server is down: to the client it looks like a broken connection, as without the proxy.
            context.Abort();
        }
        catch (IOException)
        {
            context.Abort();
        }
    }

    private async Task ForwardAsync(HttpContext context, bool truncate, TimeSpan delay, Task? released, CancellationToken cancellationToken)
    {
        using var request = BuildRequest(context);
        using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        if (delay > TimeSpan.Zero)
        {
            // Until the delay is over, the fault is removed, or the client gives up.
            using var waiting = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            await Task.WhenAny(Task.Delay(delay, waiting.Token), released ?? Task.Delay(Timeout.Infinite, waiting.Token)).ConfigureAwait(false);
            await waiting.CancelAsync().ConfigureAwait(false);
            cancellationToken.ThrowIfCancellationRequested();
        }

        var target = context.Response;
        target.StatusCode = (int)response.StatusCode;
        foreach (var header in response.Headers.Concat(response.Content.Headers))
        {
            if (!HopByHop.Contains(header.Key))
            {
                target.Headers[header.Key] = header.Value.ToArray();
            }
        }

        if (!truncate)
        {
            await response.Content.CopyToAsync(target.Body, cancellationToken).ConfigureAwait(false);
            return;
        }

        // Announce the whole body, send half of it, and cut the connection: what a transfer broken midway looks like.
        var body = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
        target.ContentLength = body.Length;
        await target.Body.WriteAsync(body.AsMemory(0, body.Length / 2), cancellationToken).ConfigureAwait(false);
        await target.Body.FlushAsync(cancellationToken).ConfigureAwait(false);
        context.Abort();
    }

    private HttpRequestMessage BuildRequest(HttpContext context)
    {
        var source = context.Request;
        var request = new HttpRequestMessage(new HttpMethod(source.Method), new Uri(Upstream, source.Path.ToUriComponent() + source.QueryString.ToUriComponent()))
        {
            Version = HttpVersion.Version11,
        };
        if (source.ContentLength is > 0 || source.Headers.TransferEncoding.Count > 0)
        {
            request.Content = new StreamContent(source.Body);
            if (source.ContentLength is { } length)
            {
                request.Content.Headers.ContentLength = length;
            }
        }

        foreach (var header in source.Headers)
        {
            if (HopByHop.Contains(header.Key) || header.Key.Equals("Content-Length", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            if (!request.Headers.TryAddWithoutValidation(header.Key, (IEnumerable<string?>)header.Value))
            {
                request.Content?.Headers.TryAddWithoutValidation(header.Key, (IEnumerable<string?>)header.Value);
            }
        }

        // The Host the client signed, not the upstream's.
        request.Headers.Host = source.Host.Value;
        return request;
    }

    private static async Task ErrorAsync(HttpContext context, HttpStatusCode status, string code, string message, CancellationToken cancellationToken)
    {
        var response = context.Response;
        response.StatusCode = (int)status;
        response.Headers["x-amz-request-id"] = "FAULTPROXY";
        if (status == HttpStatusCode.ServiceUnavailable)
        {
            response.Headers.RetryAfter = "1";
        }

        if (HttpMethods.IsHead(context.Request.Method))
        {
            // HEAD answers carry no body; S3 reports errors on HEAD by status alone.
            return;
        }

        var body = Encoding.UTF8.GetBytes(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n" +
            $"<Error><Code>{code}</Code><Message>{message}</Message><Resource>{WebUtility.HtmlEncode(context.Request.Path.Value)}</Resource>" +
            "<RequestId>FAULTPROXY</RequestId></Error>");
        response.ContentType = "application/xml";
        response.ContentLength = body.Length;
        await response.Body.WriteAsync(body, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>A fault while it is active, with its counts (guarded by the proxy's lock).</summary>
    private sealed class ActiveFault(ProxyFault fault)
    {
        private readonly TaskCompletionSource _released = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public ProxyFault Fault { get; } = fault;

        public long Matched { get; set; }

        public long Injected { get; set; }

        public bool UsedUp { get; set; }

        public Task Released => _released.Task;

        public void Release() => _released.TrySetResult();
    }
}

/// <summary>What a <see cref="FaultProxy"/> does to a request a fault applies to.</summary>
public enum ProxyFaultKind
{
    /// <summary>Answer 503 Service Unavailable with S3's SlowDown error body (throttling), without forwarding.</summary>
    SlowDown,

    /// <summary>Answer 500 Internal Server Error with S3's InternalError error body, without forwarding.</summary>
    InternalError,

    /// <summary>Forward the request, then hold the answer back for <see cref="ProxyFault.Delay"/> (or until the fault is removed).</summary>
    Delay,

    /// <summary>Close the connection without an answer (before forwarding, or after it with <see cref="ProxyFault.ForwardFirst"/>).</summary>
    Drop,

    /// <summary>Forward the request; answer with the real status, headers and Content-Length but only half the body, then close the connection.</summary>
    Truncate,

    /// <summary>Hold the request, unanswered, until the fault is removed (then forward it) or the proxy is disposed (then close it).</summary>
    Blackhole,
}

/// <summary>
/// One fault for <see cref="FaultProxy.Inject"/>: what to do, and to which requests. Immutable; the proxy keeps the
/// counts. Pass the same instance to <see cref="FaultProxy.Remove"/> to switch it off.
/// </summary>
public sealed record ProxyFault
{
    /// <summary>What to do.</summary>
    public required ProxyFaultKind Kind { get; init; }

    /// <summary>Inject it this many times, then remove it; null (the default) for as long as it is active.</summary>
    public int? Count
    {
        get;
        init => field = value is null or > 0 ? value : throw new ArgumentOutOfRangeException(nameof(Count), "Count must be positive (or null for no limit).");
    }

    /// <summary>Only requests with this HTTP method (GET, PUT, HEAD, ...); null (the default) for every method.</summary>
    public string? Method { get; init; }

    /// <summary>Only requests whose path contains this (ordinal comparison); null (the default) for every path.</summary>
    public string? PathContains { get; init; }

    /// <summary>Only every n-th request that matches <see cref="Method"/> and <see cref="PathContains"/>. Default 1: each of them.</summary>
    public int Every
    {
        get;
        init => field = value > 0 ? value : throw new ArgumentOutOfRangeException(nameof(Every), "Every must be positive.");
    } = 1;

    /// <summary>How long <see cref="ProxyFaultKind.Delay"/> holds the answer back.</summary>
    public TimeSpan Delay { get; init; }

    /// <summary>
    /// For <see cref="ProxyFaultKind.Drop"/>: forward the request and drop the connection only after the server
    /// answered, so the server did the work (stored the object) but the client never hears of it. Default false.
    /// </summary>
    public bool ForwardFirst { get; init; }

    /// <summary>503 SlowDown.</summary>
    public static ProxyFault SlowDown(int? count = null, string? method = null) =>
        new() { Kind = ProxyFaultKind.SlowDown, Count = count, Method = method };

    /// <summary>500 InternalError.</summary>
    public static ProxyFault InternalError(int? count = null, string? method = null) =>
        new() { Kind = ProxyFaultKind.InternalError, Count = count, Method = method };

    /// <summary>The answer <paramref name="delay"/> late.</summary>
    public static ProxyFault Slow(TimeSpan delay, int? count = null, string? method = null) =>
        new() { Kind = ProxyFaultKind.Delay, Delay = delay, Count = count, Method = method };

    /// <summary>The connection closed without an answer.</summary>
    public static ProxyFault Drop(int? count = null, string? method = null, bool forwardFirst = false) =>
        new() { Kind = ProxyFaultKind.Drop, Count = count, Method = method, ForwardFirst = forwardFirst };

    /// <summary>Half the answer's body, then the connection closed.</summary>
    public static ProxyFault Truncate(int? count = null, string? method = null) =>
        new() { Kind = ProxyFaultKind.Truncate, Count = count, Method = method };

    /// <summary>No answer at all until the fault is removed.</summary>
    public static ProxyFault Blackhole(int? count = null, string? method = null) =>
        new() { Kind = ProxyFaultKind.Blackhole, Count = count, Method = method };
}
