using Woodpecker.Storage.Format;

namespace Woodpecker.Storage.Abstractions;

/// <summary>Reads entries of one segment. Cheapest when reads continue where the previous one ended.</summary>
public interface ISegmentReader : IAsyncDisposable
{
    /// <summary>
    /// Reads entries with ids in [<paramref name="fromEntryId"/>, <paramref name="toEntryIdExclusive"/>), stopping
    /// after about <paramref name="maxBytes"/> of payload (always at least one entry when one is in range).
    /// Never reads past <paramref name="toEntryIdExclusive"/>: for an active segment pass its durable end.
    /// </summary>
    /// <returns>The number of entries added to <paramref name="output"/>.</returns>
    /// <exception cref="Errors.StorageCorruptedException">Data in range failed its checksum or is missing.</exception>
    Task<int> ReadAsync(long fromEntryId, long toEntryIdExclusive, int maxBytes, List<StoredEntry> output, CancellationToken cancellationToken);
}
