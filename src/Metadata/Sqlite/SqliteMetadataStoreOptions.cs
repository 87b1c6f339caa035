namespace Woodpecker.Metadata.Sqlite;

/// <summary>Settings of the embedded SQLite metadata store (<see cref="SqliteMetadataStore"/>).</summary>
public sealed class SqliteMetadataStoreOptions
{
    /// <summary>Name of the database file inside <see cref="DataDirectory"/> unless <see cref="FileName"/> says otherwise.</summary>
    public const string DefaultFileName = "metadata.db";

    /// <summary>The schema version this build writes and understands.</summary>
    internal const int CurrentSchemaVersion = 1;

    /// <summary>Directory that holds the database; created when missing. Required.</summary>
    public string DataDirectory { get; set; } = string.Empty;

    /// <summary>Database file name inside <see cref="DataDirectory"/>. Default <c>metadata.db</c>.</summary>
    public string FileName { get; set; } = DefaultFileName;

    /// <summary>
    /// Longest any call may take, queueing included; a call that takes longer fails with
    /// <see cref="Errors.MetadataUnavailableException"/>. Default 10 s.
    /// </summary>
    public TimeSpan CallTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How long SQLite waits for a lock held by someone else before failing. Default 5 s.</summary>
    public TimeSpan BusyTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How often expired leases are looked for and removed (with their keys). Default 250 ms.</summary>
    public TimeSpan LeaseSweepInterval { get; set; } = TimeSpan.FromMilliseconds(250);

    /// <summary>Longest lease a caller may ask for. Default 1 day.</summary>
    public TimeSpan MaxLeaseTtl { get; set; } = TimeSpan.FromDays(1);

    /// <summary>
    /// How many recent change events are kept in memory for watches that start in the past or fall behind;
    /// a watch that needs older events fails with <see cref="Abstractions.WatchCompactedException"/>. Default 10,000.
    /// </summary>
    public int WatchHistoryCapacity { get; set; } = 10_000;

    /// <summary>
    /// Events buffered per watcher before it counts as lagging (it is then fed from the history instead, so writers
    /// never wait for it). Default 1,024.
    /// </summary>
    public int WatcherBufferCapacity { get; set; } = 1_024;

    /// <summary>Calls that may wait for the database thread before callers are held back. Default 1,024.</summary>
    public int QueueCapacity { get; set; } = 1_024;

    /// <summary>The database file: <see cref="DataDirectory"/> combined with <see cref="FileName"/>.</summary>
    public string DatabasePath => Path.Combine(DataDirectory, FileName);

    /// <summary>Checks every setting; throws <see cref="ArgumentException"/> naming the first bad one.</summary>
    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(DataDirectory))
        {
            throw new ArgumentException($"{nameof(SqliteMetadataStoreOptions)}.{nameof(DataDirectory)} must name the directory that holds the metadata database.", nameof(DataDirectory));
        }

        if (string.IsNullOrWhiteSpace(FileName) || FileName.IndexOfAny(Path.GetInvalidFileNameChars()) >= 0 || FileName is "." or "..")
        {
            throw new ArgumentException($"{nameof(SqliteMetadataStoreOptions)}.{nameof(FileName)} must be a plain file name (got '{FileName}').", nameof(FileName));
        }

        RequirePositive(CallTimeout, nameof(CallTimeout));
        RequirePositive(BusyTimeout, nameof(BusyTimeout));
        RequirePositive(LeaseSweepInterval, nameof(LeaseSweepInterval));
        RequirePositive(MaxLeaseTtl, nameof(MaxLeaseTtl));
        RequirePositive(WatchHistoryCapacity, nameof(WatchHistoryCapacity));
        RequirePositive(WatcherBufferCapacity, nameof(WatcherBufferCapacity));
        RequirePositive(QueueCapacity, nameof(QueueCapacity));
    }

    private static void RequirePositive(TimeSpan value, string name)
    {
        if (value <= TimeSpan.Zero || value == Timeout.InfiniteTimeSpan)
        {
            throw new ArgumentException($"{nameof(SqliteMetadataStoreOptions)}.{name} must be a positive, finite duration (got {value}).", name);
        }
    }

    private static void RequirePositive(int value, string name)
    {
        if (value <= 0)
        {
            throw new ArgumentException($"{nameof(SqliteMetadataStoreOptions)}.{name} must be positive (got {value}).", name);
        }
    }
}
