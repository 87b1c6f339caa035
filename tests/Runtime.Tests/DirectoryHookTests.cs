using System.Collections.Concurrent;
using Google.Protobuf.WellKnownTypes;
using Woodpecker.Runtime.Directory;
using Xunit;

namespace Woodpecker.Runtime.Tests;

/// <summary>
/// How the runtime uses a grain directory: claim before activating, release after deactivating, redirect on a lost
/// claim, and abort without either. The directory here is an in-memory one (the etcd directory is tested against a
/// real etcd in Cluster.Tests); these tests are about the runtime's side of the contract.
/// </summary>
public sealed class DirectoryHookTests
{
    [Fact]
    public async Task An_activation_is_claimed_before_it_runs_and_released_after_it_deactivates()
    {
        var journal = new ProbeJournal();
        var directory = new InMemoryDirectory();
        await using var runtime = Create(journal, directory);
        var grain = runtime.GrainFactory.GetGrain<IProbeGrain>("claimed");
        await grain.TurnAsync(new Int32Value { Value = 0 }, default);
        Assert.True(directory.Owners.ContainsKey("probe/claimed"));

        await grain.DeactivateAsync(new Empty(), default);
        await Runtimes.WaitUntil(() => !directory.Owners.ContainsKey("probe/claimed"), TimeSpan.FromSeconds(5), "the claim to be released");
        Assert.Equal(1, journal.Deactivations["claimed"]);
    }

    [Fact]
    public async Task Calls_to_a_grain_claimed_elsewhere_fail_with_the_owner_and_never_run_here()
    {
        var journal = new ProbeJournal();
        var directory = new InMemoryDirectory();
        directory.Owners["probe/taken"] = ("other-silo", 42);
        await using var runtime = Create(journal, directory);
        var grain = runtime.GrainFactory.GetGrain<IProbeGrain>("taken");

        var redirect = await Assert.ThrowsAsync<GrainNotOwnedHereException>(() => grain.TurnAsync(new Int32Value { Value = 0 }, default));
        Assert.Equal(("other-silo", 42L), (redirect.OwnerSiloId, redirect.OwnerEpoch));
        Assert.False(journal.Activations.ContainsKey("taken"));
        Assert.Equal(("other-silo", 42L), directory.Owners["probe/taken"]);
    }

    [Fact]
    public async Task Abort_drops_activations_without_deactivating_them_or_releasing_their_claims()
    {
        var journal = new ProbeJournal();
        var directory = new InMemoryDirectory();
        var runtime = Create(journal, directory);
        await runtime.GrainFactory.GetGrain<IProbeGrain>("aborted").TurnAsync(new Int32Value { Value = 0 }, default);

        await runtime.AbortAsync(new InvalidOperationException("lease lost"));
        Assert.Equal(0, runtime.ActivationCount);
        Assert.False(journal.Deactivations.ContainsKey("aborted"));
        Assert.True(directory.Owners.ContainsKey("probe/aborted"), "the claim lapses with the silo's lease, not by release");
        await Assert.ThrowsAsync<ObjectDisposedException>(() => runtime.GrainFactory.GetGrain<IProbeGrain>("aborted").TurnAsync(new Int32Value { Value = 0 }, default));
    }

    private static ActorRuntime Create(ProbeJournal journal, IGrainDirectory directory)
    {
        var registry = new GrainRegistry().Add<IProbeGrain, ProbeGrain>(ProbeGrainInterface.Descriptor, _ => new ProbeGrain(journal));
        return new ActorRuntime(registry, new NoServices(), new ActorRuntimeOptions { IdleDeactivationAge = TimeSpan.FromMinutes(5) }, directory: directory);
    }

    private sealed class InMemoryDirectory : IGrainDirectory
    {
        private long _revision;

        public ConcurrentDictionary<string, (string Silo, long Epoch)> Owners { get; } = new();

        public Task<long> RegisterAsync(GrainId grain, CancellationToken cancellationToken)
        {
            var epoch = Interlocked.Increment(ref _revision);
            var owner = Owners.GetOrAdd(grain.ToString(), ("this-silo", epoch));
            return owner.Silo == "this-silo" ? Task.FromResult(owner.Epoch) : Task.FromException<long>(new GrainNotOwnedHereException(grain, owner.Silo, owner.Epoch));
        }

        public string FenceKey(GrainId grain) => grain.ToString();

        public Task UnregisterAsync(GrainId grain, long epoch, CancellationToken cancellationToken)
        {
            Owners.TryRemove(new KeyValuePair<string, (string, long)>(grain.ToString(), ("this-silo", epoch)));
            return Task.CompletedTask;
        }
    }
}
