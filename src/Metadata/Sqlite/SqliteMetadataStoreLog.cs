using Microsoft.Extensions.Logging;

namespace Woodpecker.Metadata.Sqlite;

/// <summary>Log messages of the SQLite metadata store (event ids 3000–3049).</summary>
internal static partial class SqliteMetadataStoreLog
{
    [LoggerMessage(EventId = 3000, Level = LogLevel.Information, Message = "Opened metadata store {Path} at revision {Revision} ({LeaseCount} leases)")]
    public static partial void Opened(this ILogger logger, string path, long revision, long leaseCount);

    [LoggerMessage(EventId = 3001, Level = LogLevel.Information, Message = "Closed metadata store {Path} at revision {Revision}")]
    public static partial void Closed(this ILogger logger, string path, long revision);

    [LoggerMessage(EventId = 3002, Level = LogLevel.Information, Message = "Lease {LeaseId:x} expired; deleted {KeyCount} keys bound to it at revision {Revision}")]
    public static partial void LeaseExpired(this ILogger logger, long leaseId, long keyCount, long revision);

    [LoggerMessage(EventId = 3003, Level = LogLevel.Warning, Message = "Metadata store operation {Operation} failed")]
    public static partial void OperationFailed(this ILogger logger, string operation, Exception exception);

    [LoggerMessage(EventId = 3004, Level = LogLevel.Warning, Message = "Sweeping expired leases failed; will retry at the next interval")]
    public static partial void SweepFailed(this ILogger logger, Exception exception);

    [LoggerMessage(EventId = 3005, Level = LogLevel.Debug, Message = "Watcher on prefix '{Prefix}' fell behind at revision {Revision} (buffer of {Capacity} events full); it will catch up from the history")]
    public static partial void WatcherLagging(this ILogger logger, string prefix, long revision, int capacity);

    [LoggerMessage(EventId = 3006, Level = LogLevel.Warning, Message = "SQLite did not switch {Path} to WAL journal mode (it reports '{Mode}'); durability is unchanged but writes will be slower")]
    public static partial void NoWal(this ILogger logger, string path, string mode);

    [LoggerMessage(EventId = 3007, Level = LogLevel.Debug, Message = "Lease {LeaseId:x} revoked; deleted {KeyCount} keys bound to it")]
    public static partial void LeaseRevoked(this ILogger logger, long leaseId, long keyCount);

    [LoggerMessage(EventId = 3008, Level = LogLevel.Warning, Message = "Metadata store call {Operation} timed out after {Timeout}")]
    public static partial void CallTimedOut(this ILogger logger, string operation, TimeSpan timeout);
}
