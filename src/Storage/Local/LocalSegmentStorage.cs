using System.Globalization;
using Woodpecker.Errors;
using Woodpecker.Storage.Abstractions;
using Woodpecker.Storage.Format;

namespace Woodpecker.Storage.Local;

/// <summary>
/// Segments as files on a local (or shared) filesystem. See <see cref="LocalSegmentFiles"/> for the layout and
/// docs/format.md for the bytes. Durability comes from fdatasync of the data file and fsync of directories after
/// creating or renaming files.
/// </summary>
public sealed class LocalSegmentStorage : ISegmentStorage
{
    /// <summary>Creates the backend; creates the root directory when missing.</summary>
    public LocalSegmentStorage(LocalStorageOptions options)
    {
        options.Validate();
        Options = options;
        Root = Path.GetFullPath(options.RootDirectory);
        try
        {
            Directory.CreateDirectory(Path.Combine(Root, "logs"));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new StorageUnavailableException($"Cannot create the storage directory '{Root}': {ex.Message} Choose a writable directory.", ex);
        }

        Io = new DiskIoScheduler(options.IoThreads);
        FlushPolicy = new StorageFlushPolicy(options.MaxBlockBytes, options.MaxFlushDelay, options.MaxConcurrentFlushes);
    }

    /// <inheritdoc />
    public string Kind => "local";

    /// <inheritdoc />
    public StorageFlushPolicy FlushPolicy { get; }

    /// <inheritdoc />
    public StorageRequestCounts TotalRequestCounts { get; } = new();

    /// <summary>The absolute root directory.</summary>
    public string Root { get; }

    internal LocalStorageOptions Options { get; }

    internal DiskIoScheduler Io { get; }

    /// <inheritdoc />
    public async Task<ISegmentWriter> CreateWriterAsync(SegmentAddress segment, long writerEpoch, CancellationToken cancellationToken)
    {
        var files = new LocalSegmentFiles(Root, segment);
        var (handle, writerLock) = await Io.Run(() =>
        {
            var created = !Directory.Exists(files.Directory);
            Directory.CreateDirectory(files.Directory);
            if (created)
            {
                NativeFile.SyncDirectory(Path.GetDirectoryName(files.Directory)!);
            }

            // One writer per segment file, across processes: the lock is released by the OS when its holder dies.
            FileStream writerLock;
            try
            {
                writerLock = new FileStream(files.LockPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException ex)
            {
                throw new StorageUnavailableException($"{segment} has a writer in another process or activation ('{files.LockPath}' is locked); it cannot be written here.", ex);
            }

            try
            {
                if (File.Exists(files.FencePath) || File.Exists(files.FooterPath))
                {
                    throw new WriterFencedException($"{segment} was already completed or recovered; it cannot be written again.");
                }

                var h = File.OpenHandle(files.DataPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.ReadWrite | FileShare.Delete);
                if (RandomAccess.GetLength(h) > 0)
                {
                    h.Dispose();
                    throw new StorageUnavailableException($"{segment} already holds data in '{files.DataPath}'; a new segment must start empty.");
                }

                NativeFile.SyncDirectory(files.Directory);
                return (h, writerLock);
            }
            catch
            {
                writerLock.Dispose();
                throw;
            }
        }).ConfigureAwait(false);
        return new LocalSegmentWriter(this, files, segment, writerEpoch, handle, writerLock);
    }

    /// <inheritdoc />
    public async Task<ISegmentReader> OpenReaderAsync(SegmentAddress segment, CancellationToken cancellationToken)
    {
        var footer = await TryReadFooterAsync(segment, cancellationToken).ConfigureAwait(false);
        return new LocalSegmentReader(this, new LocalSegmentFiles(Root, segment), segment, footer);
    }

    /// <inheritdoc />
    public async Task<SegmentFooter?> TryReadFooterAsync(SegmentAddress segment, CancellationToken cancellationToken)
    {
        var files = new LocalSegmentFiles(Root, segment);
        byte[] bytes;
        try
        {
            bytes = await File.ReadAllBytesAsync(files.FooterPath, cancellationToken).ConfigureAwait(false);
        }
        catch (FileNotFoundException)
        {
            return null;
        }
        catch (DirectoryNotFoundException)
        {
            return null;
        }

        return DecodeFooter(files, segment, bytes);
    }

    /// <inheritdoc />
    public Task<SegmentFooter> RecoverAsync(SegmentAddress segment, long writerEpoch, CancellationToken cancellationToken)
    {
        var files = new LocalSegmentFiles(Root, segment);
        return Io.Run(() =>
        {
            Directory.CreateDirectory(files.Directory);

            // Fence first, scan second: any block acknowledged from now on would have seen the fence.
            if (!File.Exists(files.FencePath))
            {
                using (var fence = File.OpenHandle(files.FencePath, FileMode.OpenOrCreate, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete))
                {
                    RandomAccess.Write(fence, System.Text.Encoding.ASCII.GetBytes(writerEpoch.ToString(CultureInfo.InvariantCulture)), 0);
                    NativeFile.DataSync(fence, files.FencePath);
                }

                NativeFile.SyncDirectory(files.Directory);
            }

            if (File.Exists(files.FooterPath))
            {
                return DecodeFooter(files, segment, File.ReadAllBytes(files.FooterPath));
            }

            List<BlockIndexEntry> blocks = [];
            long validLength = 0;
            long epoch = writerEpoch;
            if (File.Exists(files.DataPath))
            {
                using var data = File.OpenHandle(files.DataPath, FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite | FileShare.Delete);

                // What the scan counts must be durable before the footer makes it part of the log: a writer killed
                // after write() but before fdatasync left it only in the page cache.
                NativeFile.DataSync(data, files.DataPath);
                (blocks, validLength, var lastEpoch) = LocalBlockScanner.Scan(data, segment.SegmentId, Options.ReadChunkBytes);
                if (blocks.Count > 0)
                {
                    epoch = lastEpoch;
                }
            }

            var entries = blocks.Count == 0 ? 0 : blocks[^1].EndEntryId;
            return PublishFooter(files, new SegmentFooter(segment.SegmentId, epoch, entries, validLength, blocks));
        });
    }

    /// <inheritdoc />
    public Task DeleteSegmentAsync(SegmentAddress segment, CancellationToken cancellationToken)
    {
        var files = new LocalSegmentFiles(Root, segment);
        return Io.Run(() =>
        {
            if (!Directory.Exists(files.Directory))
            {
                return; // its log is deleted already (File.Delete throws when the directory is missing)
            }

            // Footer first: a segment without its footer but with its data would look active, not deleted.
            File.Delete(files.FooterPath);
            File.Delete(files.DataPath);
            File.Delete(files.FencePath);
            File.Delete(files.LockPath);
            NativeFile.SyncDirectory(files.Directory);
        });
    }

    /// <inheritdoc />
    public Task DeleteLogAsync(long logId, CancellationToken cancellationToken)
    {
        var directory = LocalSegmentFiles.LogDirectory(Root, logId);
        return Io.Run(() =>
        {
            if (Directory.Exists(directory))
            {
                Directory.Delete(directory, recursive: true);
                NativeFile.SyncDirectory(Path.GetDirectoryName(directory)!);
            }
        });
    }

    /// <inheritdoc />
    public StorageRequestCounts GetRequestCounts(long logId) => TotalRequestCounts; // local files cost no requests: always zero

    /// <inheritdoc />
    public bool SupportsCompaction => false;

    /// <inheritdoc />
    public Task<CompactionResult?> CompactAsync(SegmentAddress segment, CancellationToken cancellationToken) =>
        Task.FromResult<CompactionResult?>(null); // a local segment is one file already

    /// <inheritdoc />
    public Task DeleteReplacedObjectsAsync(SegmentAddress segment, IReadOnlyList<string> objects, CancellationToken cancellationToken) =>
        Task.CompletedTask;

    /// <inheritdoc />
    public ValueTask DisposeAsync()
    {
        Io.Dispose();
        return ValueTask.CompletedTask;
    }

    /// <summary>
    /// Publishes a footer with create-if-absent semantics (a no-replace move), so that when a writer and a recovery
    /// race, the first footer stays and both continue with it. Runs on a disk thread.
    /// </summary>
    internal static SegmentFooter PublishFooter(LocalSegmentFiles files, SegmentFooter footer)
    {
        var temp = $"{files.FooterPath}.{Guid.NewGuid():N}.tmp";
        using (var handle = File.OpenHandle(temp, FileMode.CreateNew, FileAccess.Write))
        {
            RandomAccess.Write(handle, footer.Encode(), 0);
            NativeFile.DataSync(handle, temp);
        }

        try
        {
            File.Move(temp, files.FooterPath, overwrite: false);
        }
        catch (IOException) when (File.Exists(files.FooterPath))
        {
            File.Delete(temp);
            NativeFile.SyncDirectory(files.Directory);
            return DecodeFooter(files, new SegmentAddress(-1, footer.SegmentId), File.ReadAllBytes(files.FooterPath));
        }

        NativeFile.SyncDirectory(files.Directory);
        return footer;
    }

    private static SegmentFooter DecodeFooter(LocalSegmentFiles files, SegmentAddress segment, byte[] bytes)
    {
        var footer = SegmentFooter.TryDecode(bytes, out var problem)
            ?? throw new StorageCorruptedException($"The footer of segment {segment.SegmentId} ('{files.FooterPath}') is invalid: {problem}.");
        return footer.SegmentId == segment.SegmentId
            ? footer
            : throw new StorageCorruptedException($"'{files.FooterPath}' holds the footer of segment {footer.SegmentId}, not of segment {segment.SegmentId}; the file was moved or copied by hand.");
    }
}
