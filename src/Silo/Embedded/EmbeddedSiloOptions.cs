using Woodpecker.Etcd;
using Woodpecker.Grains;
using Woodpecker.Runtime;
using Woodpecker.Storage.Local;
using Woodpecker.Storage.S3;

namespace Woodpecker.Silo.Embedded;

/// <summary>Options of a silo inside the application's process. Only the data directory matters to most users.</summary>
public sealed class EmbeddedSiloOptions
{
    /// <summary>Directory holding the metadata database (unless <see cref="Etcd"/> is set) and the segment files. Default "./woodpecker-data".</summary>
    public string DataDirectory { get; set; } = "woodpecker-data";

    /// <summary>
    /// Keep metadata in etcd instead of the embedded SQLite database (null, the default). With etcd, several processes
    /// may share one storage directory (a shared filesystem): the writer epochs in etcd and the segment files' locks
    /// and fences keep one writer per log across them.
    /// </summary>
    public EtcdClientOptions? Etcd { get; set; }

    /// <summary>The log service: segment rolling, tail cache, truncation, entry limits.</summary>
    public LogServiceOptions Log { get; set; } = new();

    /// <summary>
    /// Keep segments in S3-compatible object storage instead of local files (null, the default). Blocks are uploaded
    /// as objects every <see cref="S3StorageOptions.MaxFlushDelay"/> or <see cref="S3StorageOptions.MaxBlockBytes"/>,
    /// and an append is acknowledged once the object holding it is stored.
    /// </summary>
    public S3StorageOptions? S3 { get; set; }

    /// <summary>The local storage backend: block size, flush delay, I/O threads. Its root is set from <see cref="DataDirectory"/>.</summary>
    public LocalStorageOptions Storage { get; set; } = new();

    /// <summary>The actor runtime: idle deactivation, call timeouts, mailbox sizes.</summary>
    public ActorRuntimeOptions Runtime { get; set; } = new();
}
