namespace Woodpecker.Grains.Reading;

/// <summary>
/// Records which segment each open reader is in, so garbage collection never deletes a segment a reader still needs.
/// Registrations are bound to a lease of the silo serving the reader: when the silo dies, they expire with it.
/// </summary>
public interface IReaderRegistry
{
    /// <summary>Records (or moves) a reader to <paramref name="segmentId"/>.</summary>
    Task RegisterAsync(long logId, string readerId, long segmentId, CancellationToken cancellationToken);

    /// <summary>Forgets a reader.</summary>
    Task UnregisterAsync(long logId, string readerId, CancellationToken cancellationToken);
}
