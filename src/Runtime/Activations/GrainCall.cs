using Google.Protobuf;
using Woodpecker.Runtime.Invocation;

namespace Woodpecker.Runtime.Activations;

/// <summary>
/// One call waiting in, or running on, an activation. Owns the caller's promise and the call's timeout, and
/// completes the promise exactly once: with the grain's result, its exception, a timeout or a cancellation.
/// </summary>
internal abstract class GrainCall
{
    protected GrainCall(GrainId target, GrainMethod method, CancellationToken cancellationToken)
    {
        Target = target;
        Method = method;
        CancellationToken = cancellationToken;
    }

    public GrainId Target { get; }

    public GrainMethod Method { get; }

    /// <summary>Fires on the caller's cancellation or on the call's timeout.</summary>
    public CancellationToken CancellationToken { get; }

    public bool AlwaysInterleave => Method.Options.AlwaysInterleave;

    /// <summary>Runs the grain method up to its first await.</summary>
    public abstract Task Start(Grain grain);

    /// <summary>Completes the promise from the grain method's finished task.</summary>
    public abstract void Complete(Task finished);

    /// <summary>Completes the promise with an error without running the method.</summary>
    public abstract void Fail(Exception error);

    /// <summary>Completes the promise as cancelled without running the method (it timed out or the caller gave up).</summary>
    public abstract void Abandon();
}

internal sealed class GrainCall<TGrain, TRequest, TResponse> : GrainCall
    where TGrain : class, IGrain
    where TRequest : class, IMessage<TRequest>
    where TResponse : class, IMessage<TResponse>
{
    private readonly GrainMethod<TGrain, TRequest, TResponse> _method;
    private readonly TRequest _request;
    private readonly TaskCompletionSource<TResponse> _promise = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly CancellationToken _callerToken;
    private readonly TimeSpan _timeout;
    private CancellationTokenSource? _timeoutSource;
    private CancellationTokenSource? _linkedSource;
    private CancellationTokenRegistration _registration;

    private GrainCall(
        GrainId target,
        GrainMethod<TGrain, TRequest, TResponse> method,
        TRequest request,
        TimeSpan timeout,
        CancellationToken callerToken,
        CancellationToken token)
        : base(target, method, token)
    {
        _method = method;
        _request = request;
        _callerToken = callerToken;
        _timeout = timeout;
    }

    public Task<TResponse> Task => _promise.Task;

    /// <summary>Creates a call whose token fires on <paramref name="callerToken"/> or after <paramref name="timeout"/>.</summary>
    public static GrainCall<TGrain, TRequest, TResponse> Create(
        GrainId target,
        GrainMethod<TGrain, TRequest, TResponse> method,
        TRequest request,
        TimeSpan timeout,
        TimeProvider timeProvider,
        CancellationToken callerToken)
    {
        CancellationTokenSource? timeoutSource = null;
        CancellationTokenSource? linkedSource = null;
        var token = callerToken;
        if (timeout != Timeout.InfiniteTimeSpan)
        {
            timeoutSource = new CancellationTokenSource(timeout, timeProvider);
            if (callerToken.CanBeCanceled)
            {
                linkedSource = CancellationTokenSource.CreateLinkedTokenSource(callerToken, timeoutSource.Token);
                token = linkedSource.Token;
            }
            else
            {
                token = timeoutSource.Token;
            }
        }

        var call = new GrainCall<TGrain, TRequest, TResponse>(target, method, request, timeout, callerToken, token)
        {
            _timeoutSource = timeoutSource,
            _linkedSource = linkedSource,
        };
        if (token.CanBeCanceled)
        {
            call._registration = token.UnsafeRegister(static state => ((GrainCall<TGrain, TRequest, TResponse>)state!).OnCancelled(), call);
        }

        return call;
    }

    public override Task Start(Grain grain) => _method.Invoke((TGrain)(object)grain, _request, CancellationToken);

    public override void Complete(Task finished)
    {
        if (finished.IsCompletedSuccessfully)
        {
            _promise.TrySetResult(((Task<TResponse>)finished).Result);
        }
        else if (finished.IsFaulted)
        {
            _promise.TrySetException(finished.Exception!.InnerExceptions);
        }
        else
        {
            SetCancelledOrTimedOut();
        }

        Release();
    }

    public override void Fail(Exception error)
    {
        _promise.TrySetException(error);
        Release();
    }

    public override void Abandon()
    {
        SetCancelledOrTimedOut();
        Release();
    }

    private void OnCancelled() => SetCancelledOrTimedOut();

    private void SetCancelledOrTimedOut()
    {
        if (_callerToken.IsCancellationRequested)
        {
            _promise.TrySetCanceled(_callerToken);
        }
        else
        {
            _promise.TrySetException(new GrainCallTimeoutException(Target, Method.Name, _timeout));
        }
    }

    private void Release()
    {
        _registration.Dispose();
        _linkedSource?.Dispose();
        _timeoutSource?.Dispose();
    }
}
