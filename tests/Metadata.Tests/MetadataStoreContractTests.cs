using Woodpecker.Metadata.Abstractions;
using static Woodpecker.Metadata.Tests.TestUtil;

namespace Woodpecker.Metadata.Tests;

/// <summary>
/// The behaviour every <see cref="IMetadataStore"/> must show (etcd v3 semantics). Implementation-neutral: every test
/// works under its own random key prefix, assumes nothing about absolute revisions, and uses whole-second lease TTLs
/// (etcd may grant more than asked for; tests use the granted TTL).
/// Some tests check that a revision did not move or moved by exactly one, so nothing else may write to the store
/// while a test runs: an etcd subclass needs a server per test class (or one collection for every etcd user).
/// </summary>
public abstract class MetadataStoreContractTests
{
    /// <summary>Bound on anything that should happen promptly (generous: CI machines are slow).</summary>
    protected static readonly TimeSpan Prompt = TimeSpan.FromSeconds(10);

    /// <summary>A random prefix owned by this test, so tests can share a store (etcd) without seeing each other.</summary>
    protected string Root { get; } = $"contract-{Guid.NewGuid():N}/";

    /// <summary>Opens a store for one test; the test disposes it.</summary>
    protected abstract Task<IMetadataStore> CreateStoreAsync();

    /// <summary>Makes the watch history of every revision below <paramref name="revision"/> unavailable (etcd: compaction).</summary>
    protected abstract Task CompactAsync(IMetadataStore store, long revision);

    /// <summary>A key under this test's prefix.</summary>
    protected string K(string name) => Root + name;

    // ---- get / put / delete -------------------------------------------------------------------------------------

    [Fact]
    public async Task Get_of_missing_key_returns_null()
    {
        await using var store = await CreateStoreAsync();
        Assert.Null(await store.GetAsync(K("nothing")));
    }

    [Fact]
    public async Task Put_creates_key_with_version_1_and_revisions_of_the_write()
    {
        await using var store = await CreateStoreAsync();
        var revision = await store.PutAsync(K("a"), B("one"));
        var kv = await store.GetAsync(K("a"));
        Assert.NotNull(kv);
        Assert.Equal(K("a"), kv.Key);
        Assert.Equal("one", S(kv.Value));
        Assert.Equal(revision, kv.CreateRevision);
        Assert.Equal(revision, kv.ModRevision);
        Assert.Equal(1, kv.Version);
        Assert.Equal(0, kv.LeaseId);
    }

    [Fact]
    public async Task Put_again_bumps_version_and_mod_revision_and_keeps_create_revision()
    {
        await using var store = await CreateStoreAsync();
        var first = await store.PutAsync(K("a"), B("one"));
        var second = await store.PutAsync(K("a"), B("two"));
        var third = await store.PutAsync(K("a"), B("two"));
        Assert.True(first < second && second < third);
        var kv = await store.GetAsync(K("a"));
        Assert.NotNull(kv);
        Assert.Equal("two", S(kv.Value));
        Assert.Equal(first, kv.CreateRevision);
        Assert.Equal(third, kv.ModRevision);
        Assert.Equal(3, kv.Version);
    }

    [Fact]
    public async Task Empty_and_binary_values_round_trip()
    {
        await using var store = await CreateStoreAsync();
        await store.PutAsync(K("empty"), ReadOnlyMemory<byte>.Empty);
        var binary = Enumerable.Range(0, 256).Select(i => (byte)i).ToArray();
        await store.PutAsync(K("binary"), binary);
        Assert.Equal(0, (await store.GetAsync(K("empty")))!.Value.Length);
        Assert.Equal(binary, (await store.GetAsync(K("binary")))!.Value.ToArray());
    }

    [Fact]
    public async Task Delete_removes_key_and_recreation_starts_over()
    {
        await using var store = await CreateStoreAsync();
        var created = await store.PutAsync(K("a"), B("1"));
        await store.PutAsync(K("a"), B("2"));
        Assert.Equal(1, await store.DeleteAsync(K("a")));
        Assert.Null(await store.GetAsync(K("a")));
        var recreated = await store.PutAsync(K("a"), B("3"));
        var kv = await store.GetAsync(K("a"));
        Assert.NotNull(kv);
        Assert.Equal(1, kv.Version);
        Assert.Equal(recreated, kv.CreateRevision);
        Assert.True(recreated > created);
    }

    [Fact]
    public async Task Delete_of_missing_key_returns_zero_and_does_not_bump_revision()
    {
        await using var store = await CreateStoreAsync();
        await store.PutAsync(K("other"), B("x"));
        var before = (await store.RangeAsync(Root)).Revision;
        Assert.Equal(0, await store.DeleteAsync(K("missing")));
        Assert.Equal(0, await store.DeletePrefixAsync(K("missing/")));
        var after = (await store.RangeAsync(Root)).Revision;
        Assert.Equal(before, after);
    }

    [Fact]
    public async Task Revisions_strictly_increase_and_reads_report_the_latest()
    {
        await using var store = await CreateStoreAsync();
        var revisions = new List<long>();
        for (var i = 0; i < 5; i++)
        {
            revisions.Add(await store.PutAsync(K($"k{i}"), B("v")));
        }

        for (var i = 1; i < revisions.Count; i++)
        {
            Assert.True(revisions[i] > revisions[i - 1], $"revision {revisions[i]} after {revisions[i - 1]}");
        }

        Assert.True((await store.RangeAsync(Root)).Revision >= revisions[^1]);
    }

    [Fact]
    public async Task Invalid_keys_are_rejected()
    {
        await using var store = await CreateStoreAsync();
        await Assert.ThrowsAnyAsync<ArgumentException>(() => store.PutAsync(string.Empty, B("x")));
        await Assert.ThrowsAnyAsync<ArgumentException>(() => store.GetAsync(string.Empty));
        await Assert.ThrowsAnyAsync<ArgumentException>(() => store.RangeAsync(Root, limit: -1));
    }

    // ---- transactions ---------------------------------------------------------------------------------------------

    [Fact]
    public async Task Txn_puts_share_one_new_revision()
    {
        await using var store = await CreateStoreAsync();
        var before = await store.PutAsync(K("seed"), B("s"));
        var result = await store.TxnAsync(new Txn().Then(TxnOp.Put(K("a"), B("1")), TxnOp.Put(K("b"), B("2")), TxnOp.Delete(K("seed"))));
        Assert.True(result.Succeeded);
        Assert.True(result.Revision > before);
        var a = await store.GetAsync(K("a"));
        var b = await store.GetAsync(K("b"));
        Assert.Equal(result.Revision, a!.ModRevision);
        Assert.Equal(result.Revision, b!.ModRevision);
        Assert.Equal(result.Revision, a.CreateRevision);
        Assert.Null(await store.GetAsync(K("seed")));
        Assert.Equal(3, result.Responses.Count);
        Assert.Equal(1, result.Responses[2].Deleted);
    }

    [Fact]
    public async Task Txn_that_changes_nothing_does_not_bump_revision()
    {
        await using var store = await CreateStoreAsync();
        await store.PutAsync(K("a"), B("1"));
        var before = (await store.RangeAsync(Root)).Revision;
        var reads = await store.TxnAsync(new Txn().If(Compare.Exists(K("a"))).Then(TxnOp.Get(K("a"))));
        Assert.True(reads.Succeeded);
        Assert.Equal(before, reads.Revision);
        var failed = await store.TxnAsync(new Txn().If(Compare.Missing(K("a"))).Then(TxnOp.Put(K("a"), B("2"))));
        Assert.False(failed.Succeeded);
        Assert.Equal(before, failed.Revision);
        Assert.Equal(before, (await store.RangeAsync(Root)).Revision);
        Assert.Equal("1", S((await store.GetAsync(K("a")))!.Value));
    }

    [Fact]
    public async Task Txn_failure_branch_runs_when_a_compare_fails()
    {
        await using var store = await CreateStoreAsync();
        await store.PutAsync(K("a"), B("1"));
        var result = await store.TxnAsync(new Txn()
            .If(Compare.Exists(K("a")), Compare.ValueIs(K("a"), B("other")))
            .Then(TxnOp.Put(K("then"), B("x")))
            .Else(TxnOp.Put(K("else"), B("y")), TxnOp.Get(K("a")), TxnOp.Get(K("missing"))));
        Assert.False(result.Succeeded);
        Assert.Null(await store.GetAsync(K("then")));
        var written = await store.GetAsync(K("else"));
        Assert.NotNull(written);
        Assert.Equal(result.Revision, written.ModRevision);
        Assert.Equal(3, result.Responses.Count);
        Assert.Equal("1", S(result.Responses[1].Found!.Value));
        Assert.Null(result.Responses[2].Found);
    }

    [Fact]
    public async Task Txn_success_branch_runs_when_every_compare_holds_and_gets_see_earlier_puts()
    {
        await using var store = await CreateStoreAsync();
        var created = await store.PutAsync(K("a"), B("1"));
        var result = await store.TxnAsync(new Txn()
            .If(Compare.ModRevisionIs(K("a"), created), Compare.ValueIs(K("a"), B("1")), Compare.Missing(K("b")))
            .Then(TxnOp.Put(K("b"), B("2")), TxnOp.Get(K("b"))));
        Assert.True(result.Succeeded);
        var found = result.Responses[1].Found;
        Assert.NotNull(found);
        Assert.Equal("2", S(found.Value));
        Assert.Equal(result.Revision, found.ModRevision);
    }

    [Fact]
    public async Task Txn_is_atomic_when_an_operation_fails()
    {
        await using var store = await CreateStoreAsync();
        await store.PutAsync(K("a"), B("old"));
        var before = (await store.RangeAsync(Root)).Revision;
        // The second put names a lease that does not exist: nothing of the transaction may be applied.
        await Assert.ThrowsAsync<LeaseNotFoundException>(() => store.TxnAsync(new Txn().Then(
            TxnOp.Put(K("a"), B("new")),
            TxnOp.Put(K("b"), B("x"), leaseId: 0x1234_5678_9abc),
            TxnOp.Delete(K("a2")))));
        Assert.Equal("old", S((await store.GetAsync(K("a")))!.Value));
        Assert.Null(await store.GetAsync(K("b")));
        Assert.Equal(before, (await store.RangeAsync(Root)).Revision);
    }

    [Fact]
    public async Task Txn_writing_a_key_twice_is_rejected()
    {
        await using var store = await CreateStoreAsync();
        await Assert.ThrowsAnyAsync<ArgumentException>(() => store.TxnAsync(new Txn().Then(TxnOp.Put(K("a"), B("1")), TxnOp.Put(K("a"), B("2")))));
        await Assert.ThrowsAnyAsync<ArgumentException>(() => store.TxnAsync(new Txn().Then(TxnOp.Put(K("a"), B("1")), TxnOp.Delete(K("a")))));
        await Assert.ThrowsAnyAsync<ArgumentException>(() => store.TxnAsync(new Txn().Then(TxnOp.DeletePrefix(K("p/")), TxnOp.Put(K("p/x"), B("1")))));
        await Assert.ThrowsAnyAsync<ArgumentException>(() => store.TxnAsync(new Txn().If(Compare.Exists(K("z"))).Else(TxnOp.Put(K("a"), B("1")), TxnOp.Put(K("a"), B("2")))));
        Assert.Empty((await store.RangeAsync(Root)).Items);
    }

    [Fact]
    public async Task Compare_every_target_and_operator_on_existing_and_missing_keys()
    {
        await using var store = await CreateStoreAsync();
        var key = K("x");
        var created = await store.PutAsync(key, B("a"));
        var modified = await store.PutAsync(key, B("m"));
        const long version = 2;
        var missing = K("missing");

        var cases = new List<(string Name, Compare Compare, bool Expected)>();
        void Numbers(string target, CompareTarget t, long actual)
        {
            foreach (var given in new[] { actual - 1, actual, actual + 1 })
            {
                var c = actual.CompareTo(given);
                cases.Add(($"{target} {actual} = {given}", new Compare(key, t, CompareOperator.Equal, given), c == 0));
                cases.Add(($"{target} {actual} != {given}", new Compare(key, t, CompareOperator.NotEqual, given), c != 0));
                cases.Add(($"{target} {actual} > {given}", new Compare(key, t, CompareOperator.Greater, given), c > 0));
                cases.Add(($"{target} {actual} < {given}", new Compare(key, t, CompareOperator.Less, given), c < 0));
            }

            // A missing key compares as 0 on every numeric target.
            cases.Add(($"missing {target} = 0", new Compare(missing, t, CompareOperator.Equal, 0), true));
            cases.Add(($"missing {target} != 0", new Compare(missing, t, CompareOperator.NotEqual, 0), false));
            cases.Add(($"missing {target} < 1", new Compare(missing, t, CompareOperator.Less, 1), true));
            cases.Add(($"missing {target} > 0", new Compare(missing, t, CompareOperator.Greater, 0), false));
            cases.Add(($"missing {target} = 1", new Compare(missing, t, CompareOperator.Equal, 1), false));
        }

        Numbers("version", CompareTarget.Version, version);
        Numbers("create", CompareTarget.CreateRevision, created);
        Numbers("mod", CompareTarget.ModRevision, modified);

        // Values compare as bytes: "l" < "m" < "n", and "m" < "m\0" (a prefix is smaller).
        foreach (var (given, c) in new[] { ("l", 1), ("m", 0), ("n", -1), ("m\0", -1), (string.Empty, 1) })
        {
            cases.Add(($"value m = '{given}'", new Compare(key, CompareTarget.Value, CompareOperator.Equal, Value: B(given)), c == 0));
            cases.Add(($"value m != '{given}'", new Compare(key, CompareTarget.Value, CompareOperator.NotEqual, Value: B(given)), c != 0));
            cases.Add(($"value m > '{given}'", new Compare(key, CompareTarget.Value, CompareOperator.Greater, Value: B(given)), c > 0));
            cases.Add(($"value m < '{given}'", new Compare(key, CompareTarget.Value, CompareOperator.Less, Value: B(given)), c < 0));
        }

        // etcd: a value compare on a missing key is false, whatever the operator.
        foreach (var op in Enum.GetValues<CompareOperator>())
        {
            cases.Add(($"missing value {op} ''", new Compare(missing, CompareTarget.Value, op, Value: B(string.Empty)), false));
            cases.Add(($"missing value {op} 'm'", new Compare(missing, CompareTarget.Value, op, Value: B("m")), false));
        }

        // Helpers map to the same compares.
        cases.Add(("Missing(missing)", Compare.Missing(missing), true));
        cases.Add(("Missing(x)", Compare.Missing(key), false));
        cases.Add(("Exists(x)", Compare.Exists(key), true));
        cases.Add(("Exists(missing)", Compare.Exists(missing), false));
        cases.Add(("ModRevisionIs(missing, 0)", Compare.ModRevisionIs(missing, 0), true));
        cases.Add(("ValueIs(x, m)", Compare.ValueIs(key, B("m")), true));

        var wrong = new List<string>();
        foreach (var (name, compare, expected) in cases)
        {
            var result = await store.TxnAsync(new Txn().If(compare));
            if (result.Succeeded != expected)
            {
                wrong.Add($"{name}: expected {expected}");
            }
        }

        Assert.True(wrong.Count == 0, "Wrong compare results:\n" + string.Join("\n", wrong));
        Assert.Equal(modified, (await store.RangeAsync(Root)).Revision);
    }

    // ---- ranges ---------------------------------------------------------------------------------------------------

    [Fact]
    public async Task Range_returns_keys_in_utf8_byte_order()
    {
        await using var store = await CreateStoreAsync();
        string[] names = ["b", "a", "a/b", "a/", "Z", "\u00e9", "\u4e2d", "\U0001F600", "\uFFFD", "a b", "0"];
        foreach (var name in names)
        {
            await store.PutAsync(K(name), B(name));
        }

        var expected = names.Select(K).ToList();
        expected.Sort(CompareUtf8);
        var range = await store.RangeAsync(Root);
        Assert.Equal(expected, range.Items.Select(kv => kv.Key));
        Assert.False(range.More);
        Assert.All(range.Items, kv => Assert.Equal(kv.Key[Root.Length..], S(kv.Value)));
    }

    [Fact]
    public async Task Range_by_prefix_does_not_return_keys_that_merely_share_characters()
    {
        await using var store = await CreateStoreAsync();
        foreach (var name in new[] { "a", "a/", "a/1", "a/2/x", "a0", "a.", "b/1", "a\u00e9" })
        {
            await store.PutAsync(K(name), B("v"));
        }

        Assert.Equal([K("a/"), K("a/1"), K("a/2/x")], (await store.RangeAsync(K("a/"))).Items.Select(kv => kv.Key));
        Assert.Equal([K("b/1")], (await store.RangeAsync(K("b/"))).Items.Select(kv => kv.Key));
        Assert.Empty((await store.RangeAsync(K("c/"))).Items);
    }

    [Fact]
    public async Task Range_pages_with_start_after_and_limit()
    {
        await using var store = await CreateStoreAsync();
        var keys = Enumerable.Range(0, 10).Select(i => K($"p/{i:00}")).ToList();
        foreach (var key in keys)
        {
            await store.PutAsync(key, B("v"));
        }

        await store.PutAsync(K("q"), B("outside"));
        var seen = new List<string>();
        string? after = null;
        var pages = 0;
        while (true)
        {
            var page = await store.RangeAsync(K("p/"), after, limit: 3);
            pages++;
            seen.AddRange(page.Items.Select(kv => kv.Key));
            Assert.True(page.Items.Count <= 3);
            if (!page.More)
            {
                break;
            }

            Assert.Equal(3, page.Items.Count);
            after = page.Items[^1].Key;
        }

        Assert.Equal(keys, seen);
        Assert.Equal(4, pages);

        var exact = await store.RangeAsync(K("p/"), limit: 10);
        Assert.Equal(10, exact.Items.Count);
        Assert.False(exact.More);
        var all = await store.RangeAsync(K("p/"), limit: 0);
        Assert.Equal(10, all.Items.Count);
        Assert.False(all.More);
        var fromMiddle = await store.RangeAsync(K("p/"), K("p/04"));
        Assert.Equal(keys.Skip(5), fromMiddle.Items.Select(kv => kv.Key));
        var startBeforePrefix = await store.RangeAsync(K("p/"), K("a"), limit: 2);
        Assert.Equal(keys.Take(2), startBeforePrefix.Items.Select(kv => kv.Key));
        Assert.True(startBeforePrefix.More);
        Assert.Empty((await store.RangeAsync(K("p/"), K("p/99"))).Items);
    }

    [Fact]
    public async Task Delete_prefix_counts_and_spares_neighbours_at_one_revision()
    {
        await using var store = await CreateStoreAsync();
        foreach (var name in new[] { "d/1", "d/2", "d/3/x", "d0", "d" })
        {
            await store.PutAsync(K(name), B("v"));
        }

        var before = (await store.RangeAsync(Root)).Revision;
        Assert.Equal(3, await store.DeletePrefixAsync(K("d/")));
        Assert.Equal(before + 1, (await store.RangeAsync(Root)).Revision);
        Assert.Equal([K("d"), K("d0")], (await store.RangeAsync(Root)).Items.Select(kv => kv.Key));
        Assert.Equal(0, await store.DeletePrefixAsync(K("d/")));
    }

    // ---- leases ---------------------------------------------------------------------------------------------------

    [Fact]
    public async Task Lease_grant_gives_nonzero_id_and_binds_keys()
    {
        await using var store = await CreateStoreAsync();
        var lease = await store.GrantLeaseAsync(TimeSpan.FromSeconds(30));
        var other = await store.GrantLeaseAsync(TimeSpan.FromSeconds(30));
        Assert.NotEqual(0, lease.Id);
        Assert.True(lease.Id > 0);
        Assert.NotEqual(lease.Id, other.Id);
        Assert.True(lease.Ttl >= TimeSpan.FromSeconds(30));
        await store.PutAsync(K("bound"), B("v"), lease.Id);
        Assert.Equal(lease.Id, (await store.GetAsync(K("bound")))!.LeaseId);
        // A put without a lease unbinds the key (etcd semantics).
        await store.PutAsync(K("bound"), B("v2"));
        Assert.Equal(0, (await store.GetAsync(K("bound")))!.LeaseId);
        await store.RevokeLeaseAsync(lease.Id);
        await store.RevokeLeaseAsync(other.Id);
        Assert.NotNull(await store.GetAsync(K("bound")));
    }

    [Fact]
    public async Task Revoke_deletes_bound_keys_at_one_revision_and_unknown_lease_is_no_error()
    {
        await using var store = await CreateStoreAsync();
        var lease = await store.GrantLeaseAsync(TimeSpan.FromSeconds(30));
        await store.PutAsync(K("l/1"), B("v"), lease.Id);
        await store.PutAsync(K("l/2"), B("v"), lease.Id);
        await store.PutAsync(K("free"), B("v"));
        var before = (await store.RangeAsync(Root)).Revision;
        await store.RevokeLeaseAsync(lease.Id);
        Assert.Equal([K("free")], (await store.RangeAsync(Root)).Items.Select(kv => kv.Key));
        Assert.Equal(before + 1, (await store.RangeAsync(Root)).Revision);
        await store.RevokeLeaseAsync(lease.Id);
        await store.RevokeLeaseAsync(0x7777_7777_7777);
        await Assert.ThrowsAsync<LeaseNotFoundException>(() => store.KeepAliveAsync(lease.Id));
        await Assert.ThrowsAsync<LeaseNotFoundException>(() => store.PutAsync(K("again"), B("v"), lease.Id));
    }

    [Fact]
    public async Task Put_with_unknown_lease_throws_lease_not_found()
    {
        await using var store = await CreateStoreAsync();
        var error = await Assert.ThrowsAsync<LeaseNotFoundException>(() => store.PutAsync(K("a"), B("v"), 0x0abc_def0_1234));
        Assert.Equal(0x0abc_def0_1234, error.LeaseId);
        Assert.Null(await store.GetAsync(K("a")));
    }

    [Fact]
    public async Task Keep_alive_of_unknown_lease_throws_lease_not_found()
    {
        await using var store = await CreateStoreAsync();
        await Assert.ThrowsAsync<LeaseNotFoundException>(() => store.KeepAliveAsync(0x0abc_def0_1235));
    }

    [Fact]
    public async Task Lease_expiry_deletes_bound_keys()
    {
        await using var store = await CreateStoreAsync();
        var lease = await store.GrantLeaseAsync(TimeSpan.FromSeconds(1));
        await store.PutAsync(K("e/1"), B("v"), lease.Id);
        await store.PutAsync(K("e/2"), B("v"), lease.Id);
        await store.PutAsync(K("e/kept"), B("v"));
        await WaitUntilAsync(async () => (await store.RangeAsync(K("e/"))).Items.Count == 1, lease.Ttl + Prompt, "the leased keys expire");
        Assert.Equal(K("e/kept"), (await store.RangeAsync(K("e/"))).Items.Single().Key);
        await Assert.ThrowsAsync<LeaseNotFoundException>(() => store.KeepAliveAsync(lease.Id));
    }

    [Fact]
    public async Task Keep_alive_extends_lease_beyond_its_ttl()
    {
        await using var store = await CreateStoreAsync();
        // Renew far more often than needed: test machines can stall timers for a second.
        var lease = await store.GrantLeaseAsync(TimeSpan.FromSeconds(2));
        await store.PutAsync(K("alive"), B("v"), lease.Id);
        var until = DateTime.UtcNow + (lease.Ttl * 1.5);
        while (DateTime.UtcNow < until)
        {
            var ttl = await store.KeepAliveAsync(lease.Id);
            Assert.True(ttl >= TimeSpan.FromSeconds(2));
            await Task.Delay(TimeSpan.FromMilliseconds(200));
        }

        Assert.NotNull(await store.GetAsync(K("alive")));
        await store.RevokeLeaseAsync(lease.Id);
        Assert.Null(await store.GetAsync(K("alive")));
    }

    // ---- watches --------------------------------------------------------------------------------------------------

    [Fact]
    public async Task Watch_reports_puts_and_deletes_in_revision_order_from_a_revision()
    {
        await using var store = await CreateStoreAsync();
        var start = (await store.RangeAsync(Root)).Revision + 1;
        var r1 = await store.PutAsync(K("w/a"), B("1"));
        var r2 = await store.PutAsync(K("w/b"), B("2"));
        var r3 = await store.PutAsync(K("w/a"), B("3"));
        await store.DeleteAsync(K("w/b"));
        var txn = await store.TxnAsync(new Txn().Then(TxnOp.Put(K("w/c"), B("4")), TxnOp.Put(K("w/d"), B("5"))));
        var r6 = await store.PutAsync(K("elsewhere"), B("x"));
        var deletedPrefix = await store.DeletePrefixAsync(K("w/"));
        Assert.Equal(3, deletedPrefix);

        var events = await TakeAsync(store.WatchAsync(K("w/"), start), 9, Prompt);
        Assert.Equal(
            [
                $"Put {K("w/a")}@{r1}", $"Put {K("w/b")}@{r2}", $"Put {K("w/a")}@{r3}", $"Delete {K("w/b")}@{r3 + 1}",
                $"Put {K("w/c")}@{txn.Revision}", $"Put {K("w/d")}@{txn.Revision}",
                $"Delete {K("w/a")}@{r6 + 1}", $"Delete {K("w/c")}@{r6 + 1}", $"Delete {K("w/d")}@{r6 + 1}",
            ],
            events.Select(Describe));
        Assert.Equal("3", S(events[2].Item.Value));
        Assert.Equal(2, events[2].Item.Version);
        Assert.Equal(r1, events[2].Item.CreateRevision);
        Assert.Equal(0, events[3].Item.Value.Length);
    }

    [Fact]
    public async Task Watch_delivers_history_then_live_changes()
    {
        await using var store = await CreateStoreAsync();
        var first = await store.PutAsync(K("h/1"), B("1"));
        await store.PutAsync(K("h/2"), B("2"));
        var resumeAt = await store.PutAsync(K("h/3"), B("3"));
        using var cts = new CancellationTokenSource(Prompt);
        await using var watch = store.WatchAsync(K("h/"), resumeAt, cts.Token).GetAsyncEnumerator(cts.Token);
        Assert.True(await watch.MoveNextAsync());
        Assert.Equal(K("h/3"), watch.Current.Item.Key);
        var live = watch.MoveNextAsync();
        var next = await store.PutAsync(K("h/4"), B("4"));
        Assert.True(await live);
        Assert.Equal(K("h/4"), watch.Current.Item.Key);
        Assert.Equal(next, watch.Current.Item.ModRevision);
        Assert.True(first < resumeAt);
    }

    [Fact]
    public async Task Watch_from_now_skips_earlier_changes()
    {
        await using var store = await CreateStoreAsync();
        await store.PutAsync(K("n/old"), B("1"));
        var watch = store.WatchAsync(K("n/"));
        var taking = TakeAsync(watch, 1, Prompt);
        await Task.Delay(200);
        await store.PutAsync(K("n/new"), B("2"));
        var events = await taking;
        Assert.Equal(K("n/new"), events.Single().Item.Key);
    }

    [Fact]
    public async Task Watch_by_prefix_does_not_report_neighbours()
    {
        await using var store = await CreateStoreAsync();
        var start = (await store.RangeAsync(Root)).Revision + 1;
        await store.PutAsync(K("a0"), B("x"));
        await store.PutAsync(K("a"), B("x"));
        await store.PutAsync(K("a/1"), B("x"));
        await store.TxnAsync(new Txn().Then(TxnOp.Put(K("a1"), B("x")), TxnOp.Put(K("a/2"), B("x"))));
        var events = await TakeAsync(store.WatchAsync(K("a/"), start), 2, Prompt);
        Assert.Equal([K("a/1"), K("a/2")], events.Select(e => e.Item.Key));
    }

    [Fact]
    public async Task Watch_from_compacted_revision_throws_watch_compacted()
    {
        await using var store = await CreateStoreAsync();
        var r1 = await store.PutAsync(K("c/1"), B("1"));
        await store.PutAsync(K("c/2"), B("2"));
        var r3 = await store.PutAsync(K("c/3"), B("3"));
        await CompactAsync(store, r3);
        var error = await WatchThrowsAsync<WatchCompactedException>(store.WatchAsync(K("c/"), r1), Prompt);
        Assert.Equal(r1, error.RequestedRevision);
        Assert.True(error.CompactRevision >= r1);

        // Re-listing and watching after the read's revision works.
        var read = await store.RangeAsync(K("c/"));
        var watch = store.WatchAsync(K("c/"), read.Revision + 1);
        var taking = TakeAsync(watch, 1, Prompt);
        var r4 = await store.PutAsync(K("c/4"), B("4"));
        Assert.Equal(r4, (await taking).Single().Item.ModRevision);
    }

    [Fact]
    public async Task Watch_reports_lease_expiry_as_deletes()
    {
        await using var store = await CreateStoreAsync();
        var lease = await store.GrantLeaseAsync(TimeSpan.FromSeconds(1));
        await store.PutAsync(K("x/1"), B("v"), lease.Id);
        var last = await store.PutAsync(K("x/2"), B("v"), lease.Id);
        var events = await TakeAsync(store.WatchAsync(K("x/"), last + 1), 2, lease.Ttl + Prompt);
        Assert.All(events, e => Assert.Equal(WatchEventKind.Delete, e.Kind));
        Assert.Equal([K("x/1"), K("x/2")], events.Select(e => e.Item.Key).Order(StringComparer.Ordinal));
        Assert.Equal(events[0].Item.ModRevision, events[1].Item.ModRevision);
    }

    [Fact]
    public async Task Slow_watcher_still_sees_every_event_in_order()
    {
        await using var store = await CreateStoreAsync();
        const int Txns = 60;
        const int PerTxn = 25;
        var start = (await store.RangeAsync(Root)).Revision + 1;
        using var cts = new CancellationTokenSource(Prompt * 3);

        // One watcher reads slowly while the writes happen, another only starts reading after they are all done.
        await using var slow = store.WatchAsync(K("s/"), start, cts.Token).GetAsyncEnumerator(cts.Token);
        await using var stalled = store.WatchAsync(K("s/"), start, cts.Token).GetAsyncEnumerator(cts.Token);
        var stalledFirst = stalled.MoveNextAsync();
        var slowReader = Task.Run(async () =>
        {
            var seen = new List<WatchEvent>();
            while (seen.Count < Txns * PerTxn && await slow.MoveNextAsync())
            {
                seen.Add(slow.Current);
                if (seen.Count % 100 == 0)
                {
                    await Task.Delay(20);
                }
            }

            return seen;
        });

        var revisions = new List<long>();
        for (var t = 0; t < Txns; t++)
        {
            var txn = new Txn();
            for (var i = 0; i < PerTxn; i++)
            {
                txn.Then(TxnOp.Put(K($"s/{t:000}/{i:00}"), B($"{t}.{i}")));
            }

            revisions.Add((await store.TxnAsync(txn)).Revision);
        }

        var expected = revisions.SelectMany((r, t) => Enumerable.Range(0, PerTxn).Select(i => $"Put {K($"s/{t:000}/{i:00}")}@{r}")).ToList();
        Assert.Equal(expected, (await slowReader).Select(Describe));

        Assert.True(await stalledFirst);
        var stalledSeen = new List<WatchEvent> { stalled.Current };
        while (stalledSeen.Count < expected.Count && await stalled.MoveNextAsync())
        {
            stalledSeen.Add(stalled.Current);
        }

        Assert.Equal(expected, stalledSeen.Select(Describe));
    }

    // ---- concurrency ----------------------------------------------------------------------------------------------

    [Fact]
    public async Task Concurrent_compare_and_swap_increments_lose_no_update()
    {
        await using var store = await CreateStoreAsync();
        var counter = K("counter");
        await store.PutAsync(counter, B("0"));
        const int Workers = 20;
        const int Attempts = 15;
        var successes = 0;
        var workers = Enumerable.Range(0, Workers).Select(_ => Task.Run(async () =>
        {
            for (var i = 0; i < Attempts; i++)
            {
                var current = await store.GetAsync(counter);
                var value = long.Parse(S(current!.Value));
                var result = await store.TxnAsync(new Txn()
                    .If(Compare.ModRevisionIs(counter, current.ModRevision))
                    .Then(TxnOp.Put(counter, B((value + 1).ToString()))));
                if (result.Succeeded)
                {
                    Interlocked.Increment(ref successes);
                }
            }
        })).ToArray();
        await Task.WhenAll(workers);

        var final = await store.GetAsync(counter);
        Assert.True(successes > 0);
        Assert.Equal(successes, long.Parse(S(final!.Value)));
        Assert.Equal(successes + 1, final.Version);
    }
}
