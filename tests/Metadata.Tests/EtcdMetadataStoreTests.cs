using Woodpecker.Etcd;
using Woodpecker.Metadata.Abstractions;
using Woodpecker.Metadata.Etcd;
using Xunit;

namespace Woodpecker.Metadata.Tests;

/// <summary>The contract suite on a real etcd server (one server for this class; tests run one after another).</summary>
public sealed class EtcdMetadataStoreTests(EtcdFixture etcd) : MetadataStoreContractTests, IClassFixture<EtcdFixture>
{
    protected override Task<IMetadataStore> CreateStoreAsync() =>
        Task.FromResult<IMetadataStore>(new EtcdMetadataStore(new EtcdClientOptions { Endpoints = [etcd.Server.Endpoint] }));

    protected override Task CompactAsync(IMetadataStore store, long revision) => ((EtcdMetadataStore)store).CompactAsync(revision);
}
