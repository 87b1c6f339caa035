using System.Net.Sockets;
using Google.Protobuf;
using Microsoft.Extensions.Logging;
using Woodpecker.Cluster.Directory;
using Woodpecker.Cluster.Membership;
using Woodpecker.Cluster.Messaging;
using Woodpecker.Cluster.Placement;
using Woodpecker.Cluster.Protocol;
using Woodpecker.Runtime;
using Woodpecker.Runtime.Directory;
using Woodpecker.Runtime.Invocation;
using Woodpecker.Transport;

namespace Woodpecker.Cluster.Routing;

/// <summary>
/// Routes grain calls in a cluster: to the silo the directory cache remembers, otherwise to the one placement picks;
/// locally through the runtime's own invoker, remotely through <see cref="SiloMessagingService"/>. A redirect updates the
/// cache and goes to the owner; a silo that is unreachable or stopping is retried elsewhere — but only when the call
/// certainly did not run there, because grain calls are not idempotent (an append sent twice would be written twice).
/// Every call is bounded by its timeout and by <see cref="ClusterOptions.MaxCallAttempts"/>.
/// </summary>
public sealed class ClusterGrainCallInvoker : IGrainCallInvoker, IDisposable
{
    private static readonly TimeSpan TransportSlack = TimeSpan.FromSeconds(2);

    private readonly IGrainCallInvoker _local;
    private readonly ClusterMembership _membership;
    private readonly PlacementPolicy _placement;
    private readonly IRemoteErrorCodec _codec;
    private readonly ClusterOptions _options;
    private readonly TimeSpan _defaultTimeout;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;
    private readonly DirectoryCache _cache = new();
    private readonly SiloConnections _connections;
    private IReadOnlyList<string> _lastSiloIds = [];

    /// <summary>Creates the invoker of one silo.</summary>
    public ClusterGrainCallInvoker(
        IGrainCallInvoker local,
        ClusterMembership membership,
        PlacementPolicy placement,
        IRemoteErrorCodec codec,
        ClusterOptions options,
        TimeSpan defaultTimeout,
        GrpcChannelOptions? channelOptions = null,
        TimeProvider? timeProvider = null,
        ILogger? logger = null)
    {
        _local = local;
        _membership = membership;
        _placement = placement;
        _codec = codec;
        _options = options;
        _defaultTimeout = defaultTimeout;
        _timeProvider = timeProvider ?? TimeProvider.System;
        _logger = logger ?? Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance;
        _connections = new SiloConnections(channelOptions ?? new GrpcChannelOptions());
        _lastSiloIds = membership.View.SiloIds;
        membership.ViewChanged += OnViewChanged;
    }

    /// <summary>Directory cache entries held right now (diagnostics).</summary>
    public int CachedLocations => _cache.Count;

    /// <inheritdoc />
    public async Task<TResponse> InvokeAsync<TGrain, TRequest, TResponse>(
        GrainId target,
        GrainMethod<TGrain, TRequest, TResponse> method,
        TRequest request,
        TimeSpan? timeout,
        CancellationToken cancellationToken)
        where TGrain : class, IGrain
        where TRequest : class, IMessage<TRequest>
        where TResponse : class, IMessage<TResponse>
    {
        var budget = timeout ?? method.Options.Timeout ?? _defaultTimeout;
        var started = _timeProvider.GetTimestamp();
        ByteString? encoded = null;
        string lastOutcome = "no attempt";
        for (var attempt = 1; attempt <= _options.MaxCallAttempts; attempt++)
        {
            var remaining = budget - _timeProvider.GetElapsedTime(started);
            if (remaining <= TimeSpan.Zero)
            {
                break;
            }

            var silo = Resolve(target);
            if (silo is null)
            {
                lastOutcome = "no live silo in the cluster view";
                await BackOffAsync(attempt, cancellationToken).ConfigureAwait(false);
                continue;
            }

            if (silo.SiloId == _membership.LocalSilo.SiloId)
            {
                try
                {
                    return await _local.InvokeAsync(target, method, request, remaining, cancellationToken).ConfigureAwait(false);
                }
                catch (GrainNotOwnedHereException redirect)
                {
                    lastOutcome = Redirected(target, redirect.OwnerSiloId);
                }
                catch (SiloNotServingException notServing)
                {
                    throw _codec.Unavailable(notServing.Message, notServing);
                }

                if (!_cache.TryGet(target, out _))
                {
                    await BackOffAsync(attempt, cancellationToken).ConfigureAwait(false);
                }

                continue;
            }

            encoded ??= request.ToByteString();
            GrainCallResponse response;
            try
            {
                var call = new GrainCallRequest
                {
                    GrainType = target.Type, GrainKey = target.Key, Method = method.Name, Request = encoded,
                    TimeoutMs = (long)remaining.TotalMilliseconds, CallerSiloId = _membership.LocalSilo.SiloId,
                };
                response = await _connections.For(silo).UnaryAsync(
                    SiloMessagingService.InvokeMethod, call, GrainCallResponse.Parser, new GrpcCallOptions(remaining + TransportSlack, cancellationToken))
                    .ConfigureAwait(false);
            }
            catch (GrpcStatusException unreachable) when (unreachable.Status == GrpcStatusCode.Unavailable && NeverSent(unreachable))
            {
                // The connection was refused or could not be made: the call did not run. Forget the location and try again
                // once the view or the directory has moved on (a crashed silo leaves both when its lease expires).
                _cache.Remove(target, silo.SiloId);
                lastOutcome = $"silo '{silo.SiloId}' unreachable";
                ClusterLog.CallRetry(_logger, method.Name, target, lastOutcome, attempt);
                await BackOffAsync(attempt, cancellationToken).ConfigureAwait(false);
                continue;
            }
            catch (GrpcStatusException failed) when (failed.Status is GrpcStatusCode.Unavailable or GrpcStatusCode.DeadlineExceeded or GrpcStatusCode.Internal or GrpcStatusCode.Unknown)
            {
                _cache.Remove(target, silo.SiloId);
                throw _codec.Unavailable(
                    $"The call {method.Name} to {target} on silo '{silo.SiloId}' ({silo.Endpoint}) failed with {failed.Status}: {failed.Detail}. " +
                    "It may or may not have taken effect.",
                    failed);
            }

            switch (response.ResultCase)
            {
                case GrainCallResponse.ResultOneofCase.Response:
                    _cache.Set(target, silo.SiloId);
                    return (TResponse)method.ParseResponse(response.Response.Span);
                case GrainCallResponse.ResultOneofCase.Redirect:
                    lastOutcome = Redirected(target, response.Redirect.OwnerSiloId);
                    if (!_cache.TryGet(target, out _))
                    {
                        await BackOffAsync(attempt, cancellationToken).ConfigureAwait(false);
                    }

                    continue;
                case GrainCallResponse.ResultOneofCase.Failure when response.Failure.Kind == FailureKind.NotExecuted:
                    _cache.Remove(target, silo.SiloId);
                    lastOutcome = response.Failure.Message;
                    ClusterLog.CallRetry(_logger, method.Name, target, lastOutcome, attempt);
                    await BackOffAsync(attempt, cancellationToken).ConfigureAwait(false);
                    continue;
                case GrainCallResponse.ResultOneofCase.Failure:
                    throw Decode(target, method.Name, budget, response.Failure);
                default:
                    throw _codec.Unavailable($"Silo '{silo.SiloId}' sent an empty answer to {method.Name} on {target}; is it the same version?");
            }
        }

        throw _codec.Unavailable(
            $"The call {method.Name} to {target} found no silo to run it within {budget.TotalSeconds:0.#} s and {_options.MaxCallAttempts} attempts " +
            $"(last: {lastOutcome}). The cluster may be electing new owners after a silo failure; retry shortly.");
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _membership.ViewChanged -= OnViewChanged;
        _connections.Dispose();
    }

    private SiloInfo? Resolve(GrainId target)
    {
        var view = _membership.View;
        if (_cache.TryGet(target, out var cached) && view.Find(cached) is { } owner)
        {
            return owner;
        }

        return _placement.For(target).Place(target, view, _membership.LocalSilo);
    }

    private string Redirected(GrainId target, string ownerSiloId)
    {
        if (ownerSiloId.Length > 0 && _membership.View.Contains(ownerSiloId))
        {
            _cache.Set(target, ownerSiloId);
            return $"active on '{ownerSiloId}'";
        }

        // The owner is not live any more (its lease is about to lapse) or released the grain a moment ago: wait, then
        // place again.
        _cache.Remove(target);
        return ownerSiloId.Length > 0 ? $"still registered to departed silo '{ownerSiloId}'" : "being released";
    }

    private Exception Decode(GrainId target, string method, TimeSpan budget, CallFailure failure) => failure.Kind switch
    {
        FailureKind.Application => _codec.Decode(failure.Code, failure.Message),
        FailureKind.Timeout => new GrainCallTimeoutException(target, method, budget),
        FailureKind.Overloaded => new GrainOverloadedException(target, 0),
        _ => _codec.Unavailable(failure.Message),
    };

    private Task BackOffAsync(int attempt, CancellationToken cancellationToken)
    {
        // 50, 100, 200, 400, then 500 ms: a crashed silo's lease lapses within the TTL, so this spreads the attempts over it.
        var delay = TimeSpan.FromMilliseconds(Math.Min(500, 25 << Math.Min(attempt, 5)));
        return Task.Delay(delay, _timeProvider, cancellationToken);
    }

    private void OnViewChanged(MembershipView view)
    {
        // Load reports change the view every few seconds without changing who is live: sweep the (large) cache only
        // when a silo actually left.
        var previous = Interlocked.Exchange(ref _lastSiloIds, view.SiloIds);
        if (previous.Any(id => !view.Contains(id)))
        {
            _cache.Purge(view);
            _connections.Retain(view);
        }
    }

    /// <summary>True when the failure proves the request never left this process (no connection could be made).</summary>
    internal static bool NeverSent(Exception error)
    {
        for (var current = error; current is not null; current = current.InnerException)
        {
            switch (current)
            {
                case HttpRequestException { HttpRequestError: HttpRequestError.ConnectionError or HttpRequestError.NameResolutionError }:
                case SocketException { SocketErrorCode: SocketError.ConnectionRefused or SocketError.HostUnreachable or SocketError.NetworkUnreachable or SocketError.HostNotFound }:
                    return true;
            }
        }

        return false;
    }
}
