using System.Collections.Concurrent;

namespace Woodpecker.Runtime.Activations;

/// <summary>
/// The activations of this process, one per grain id. Creating an activation and replacing one that is
/// deactivating are single compare-and-swap steps on the dictionary, so there is never more than one live
/// activation of a grain here; a successor waits for its predecessor to terminate before it activates.
/// </summary>
internal sealed class ActivationCatalog
{
    private readonly ConcurrentDictionary<GrainId, ActivationData> _activations = new();

    public ActivationCatalog(ActorRuntime runtime) => Runtime = runtime;

    public ActorRuntime Runtime { get; }

    public int Count => _activations.Count;

    public IEnumerable<ActivationData> Activations => _activations.Values;

    /// <summary>Delivers a call to the grain's activation, creating or replacing the activation as needed.</summary>
    public void Dispatch(GrainCall call)
    {
        if (Runtime.IsStopped)
        {
            call.Fail(new ObjectDisposedException(nameof(ActorRuntime), "The actor runtime has stopped; no grain call can be delivered."));
            return;
        }

        while (true)
        {
            var activation = GetOrCreate(call.Target);
            switch (activation.TryEnqueue(call))
            {
                case EnqueueResult.Accepted:
                    return;
                case EnqueueResult.Overloaded:
                    call.Fail(new GrainOverloadedException(call.Target, Runtime.Options.MailboxOverflowLimit));
                    return;
                case EnqueueResult.Refused:
                    continue; // it is deactivating; the next lookup installs a successor
            }
        }
    }

    public void Remove(ActivationData activation) =>
        _activations.TryRemove(new KeyValuePair<GrainId, ActivationData>(activation.Id, activation));

    private ActivationData GetOrCreate(GrainId id)
    {
        while (true)
        {
            if (_activations.TryGetValue(id, out var existing))
            {
                if (!existing.IsTerminating)
                {
                    return existing;
                }

                var successor = new ActivationData(this, id, Runtime.Registry.GetClass(id.Type), existing);
                if (_activations.TryUpdate(id, successor, existing))
                {
                    successor.Start();
                    return successor;
                }
            }
            else
            {
                var created = new ActivationData(this, id, Runtime.Registry.GetClass(id.Type), predecessor: null);
                if (_activations.TryAdd(id, created))
                {
                    created.Start();
                    return created;
                }
            }
        }
    }
}
