using Woodpecker.Cluster.Membership;
using Woodpecker.Cluster.Placement;
using Woodpecker.Placement;
using Woodpecker.Runtime;
using Xunit;

namespace Woodpecker.Cluster.Tests;

public sealed class PlacementTests
{
    private static readonly SiloInfo Caller = Silo("caller");

    [Fact]
    public void Hash_placement_moves_only_the_keys_of_the_silo_that_left()
    {
        var five = View(Silo("a"), Silo("b"), Silo("c"), Silo("d"), Silo("e"));
        var four = View(Silo("a"), Silo("b"), Silo("d"), Silo("e"));
        var placement = new HashPlacement();
        var moved = 0;
        var perSilo = new Dictionary<string, int>();
        for (var i = 0; i < 5000; i++)
        {
            var grain = new GrainId("log", $"orders-{i}");
            var before = placement.Place(grain, five, Caller)!.SiloId;
            var after = placement.Place(grain, four, Caller)!.SiloId;
            perSilo[before] = perSilo.GetValueOrDefault(before) + 1;
            if (before != after)
            {
                moved++;
                Assert.Equal("c", before);
            }
        }

        Assert.Equal(perSilo["c"], moved);

        // A fair spread: every silo within ±20 % of the mean.
        Assert.All(perSilo.Values, count => Assert.InRange(count, 800, 1200));
    }

    [Fact]
    public void Rendezvous_hash_does_not_depend_on_the_order_of_the_candidates()
    {
        // Clients and silos may list the silos in any order; they must still agree.
        string[] silos = ["silo-a", "silo-b", "silo-c"];
        var picks = Enumerable.Range(0, 8).Select(i => RendezvousHash.Pick($"log-{i}", silos)).ToArray();
        Assert.Equal(picks, Enumerable.Range(0, 8).Select(i => RendezvousHash.Pick($"log-{i}", silos.Reverse().ToArray()) is var j ? 2 - j : -1).ToArray());
        Assert.Equal(-1, RendezvousHash.Pick("x", []));
    }

    [Fact]
    public void Prefer_local_places_on_the_caller_when_it_is_live()
    {
        var view = View(Silo("a"), Silo("b"));
        Assert.Equal("b", new PreferLocalPlacement().Place(new GrainId("segment", "1/2"), view, Silo("b"))!.SiloId);
        Assert.NotNull(new PreferLocalPlacement().Place(new GrainId("segment", "1/2"), view, Silo("gone")));
    }

    [Fact]
    public void Least_loaded_prefers_the_emptier_silo()
    {
        var view = View(Silo("busy", activations: 10_000), Silo("idle", activations: 10));
        var choices = Enumerable.Range(0, 200).Select(i => new LeastLoadedPlacement().Place(new GrainId("t", $"k{i}"), view, Caller)!.SiloId);
        Assert.All(choices, c => Assert.Equal("idle", c));
    }

    [Fact]
    public void Random_placement_uses_every_silo()
    {
        var view = View(Silo("a"), Silo("b"), Silo("c"));
        var used = Enumerable.Range(0, 300).Select(i => new RandomPlacement().Place(new GrainId("t", $"k{i}"), view, Caller)!.SiloId).ToHashSet();
        Assert.Equal(3, used.Count);
        Assert.Null(new RandomPlacement().Place(new GrainId("t", "k"), MembershipView.Empty, Caller));
    }

    [Fact]
    public void Group_placement_spreads_over_zones_first_then_distinct_silos()
    {
        var view = View(Silo("a1", "zone-a"), Silo("a2", "zone-a"), Silo("a3", "zone-a"), Silo("b1", "zone-b"), Silo("c1", "zone-c"));
        for (var i = 0; i < 100; i++)
        {
            var three = GroupPlacement.PlaceDistinct($"segment-{i}", 3, view);
            Assert.Equal(3, three.Select(s => s.Zone).Distinct().Count());
            var five = GroupPlacement.PlaceDistinct($"segment-{i}", 5, view);
            Assert.Equal(5, five.Select(s => s.SiloId).Distinct().Count());
            Assert.Equal(three, GroupPlacement.PlaceDistinct($"segment-{i}", 3, view));
        }

        var error = Assert.Throws<InvalidOperationException>(() => GroupPlacement.PlaceDistinct("s", 6, view));
        Assert.Contains("at least 6 live silos", error.Message, StringComparison.Ordinal);
    }

    private static SiloInfo Silo(string id, string zone = "", int activations = 0) =>
        new(id, new Uri($"http://{id}:7400"), zone, activations, 0);

    private static MembershipView View(params SiloInfo[] silos) => new(1, silos);
}
