namespace Woodpecker.Metadata.Sqlite;

/// <summary>One call queued for the database thread.</summary>
internal abstract class DatabaseWorkItem
{
    /// <summary>Runs the call on the database thread (skipped when its caller already gave up).</summary>
    public abstract void Execute();
}

/// <summary>A call with a result; the caller awaits <see cref="Task"/>.</summary>
internal sealed class DatabaseWorkItem<T> : DatabaseWorkItem
{
    private readonly Func<T> _work;
    private readonly CancellationToken _cancellationToken;
    private readonly TaskCompletionSource<T> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public DatabaseWorkItem(Func<T> work, CancellationToken cancellationToken)
    {
        _work = work;
        _cancellationToken = cancellationToken;
    }

    /// <summary>Completes when the call ran, failed, or was skipped because it was cancelled while queued.</summary>
    public Task<T> Task => _completion.Task;

    public override void Execute()
    {
        if (_cancellationToken.IsCancellationRequested)
        {
            _completion.TrySetCanceled(_cancellationToken);
            return;
        }

        try
        {
            _completion.TrySetResult(_work());
        }
#pragma warning disable CA1031 // Every failure goes to the caller through the task.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            _completion.TrySetException(ex);
        }
    }
}
