namespace Woodpecker.Storage.Local;

/// <summary>Options of the local filesystem backend.</summary>
public sealed class LocalStorageOptions
{
    /// <summary>Directory that holds the logs' segment files. Required.</summary>
    public string RootDirectory { get; set; } = "";

    /// <summary>Largest block (one write + fdatasync) in bytes. Default 4 MiB.</summary>
    public int MaxBlockBytes { get; set; } = 4 * 1024 * 1024;

    /// <summary>
    /// How long an append may wait for others to share its fdatasync while the disk is idle. Default 0: flush at
    /// once, and batch whatever arrives while a flush is in progress (group commit without added latency).
    /// </summary>
    public TimeSpan MaxFlushDelay { get; set; } = TimeSpan.Zero;

    /// <summary>
    /// Blocks of one segment in flight at once. Default 2: the next block's write() overlaps the previous block's
    /// fdatasync, which hides the copy into the page cache. 1 makes every flush strictly one after another.
    /// </summary>
    public int MaxConcurrentFlushes { get; set; } = 2;

    /// <summary>Dedicated threads for write + fdatasync. Default 4.</summary>
    public int IoThreads { get; set; } = 4;

    /// <summary>Bytes read per read call when catching up. Default 1 MiB.</summary>
    public int ReadChunkBytes { get; set; } = 1024 * 1024;

    /// <summary>Throws when a setting is out of range, naming the setting.</summary>
    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(RootDirectory))
        {
            throw new ArgumentException("LocalStorageOptions.RootDirectory must name a directory.", nameof(RootDirectory));
        }

        if (MaxBlockBytes < 4096 || MaxBlockBytes > 64 * 1024 * 1024)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxBlockBytes), "LocalStorageOptions.MaxBlockBytes must be between 4 KiB and 64 MiB.");
        }

        if (MaxFlushDelay < TimeSpan.Zero || MaxFlushDelay > TimeSpan.FromSeconds(10))
        {
            throw new ArgumentOutOfRangeException(nameof(MaxFlushDelay), "LocalStorageOptions.MaxFlushDelay must be between 0 and 10 s.");
        }

        if (MaxConcurrentFlushes is < 1 or > 8)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxConcurrentFlushes), "LocalStorageOptions.MaxConcurrentFlushes must be between 1 and 8.");
        }

        if (IoThreads is < 1 or > 64)
        {
            throw new ArgumentOutOfRangeException(nameof(IoThreads), "LocalStorageOptions.IoThreads must be between 1 and 64.");
        }

        if (ReadChunkBytes is < 4096 or > 64 * 1024 * 1024)
        {
            throw new ArgumentOutOfRangeException(nameof(ReadChunkBytes), "LocalStorageOptions.ReadChunkBytes must be between 4 KiB and 64 MiB.");
        }
    }
}
