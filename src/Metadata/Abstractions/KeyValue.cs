namespace Woodpecker.Metadata.Abstractions;

/// <summary>A stored key with its value and etcd-style revision bookkeeping.</summary>
/// <param name="Key">The key.</param>
/// <param name="Value">The value bytes.</param>
/// <param name="CreateRevision">Store revision at which the key was created (0 never occurs for an existing key).</param>
/// <param name="ModRevision">Store revision of the last change to the key.</param>
/// <param name="Version">Number of changes since creation, starting at 1.</param>
/// <param name="LeaseId">The lease the key is bound to, or 0.</param>
public sealed record KeyValue(string Key, ReadOnlyMemory<byte> Value, long CreateRevision, long ModRevision, long Version, long LeaseId);
