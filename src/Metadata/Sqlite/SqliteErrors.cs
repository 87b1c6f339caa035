using Microsoft.Data.Sqlite;
using Woodpecker.Errors;

namespace Woodpecker.Metadata.Sqlite;

/// <summary>Turns SQLite and file-system failures into <see cref="MetadataUnavailableException"/>s that say what to do.</summary>
internal static class SqliteErrors
{
    // Primary result codes (https://sqlite.org/rescode.html).
    private const int SqlitePerm = 3;
    private const int SqliteBusy = 5;
    private const int SqliteLocked = 6;
    private const int SqliteReadOnly = 8;
    private const int SqliteIoErr = 10;
    private const int SqliteCorrupt = 11;
    private const int SqliteFull = 13;
    private const int SqliteCantOpen = 14;
    private const int SqliteNotADb = 26;

    /// <summary>True for failures this class translates.</summary>
    public static bool IsStorageFailure(Exception ex) => ex is SqliteException or IOException or UnauthorizedAccessException;

    /// <summary>
    /// The typed error for a failure of <paramref name="operation"/>: <see cref="DataDirectoryInUseException"/> when
    /// opening finds the file locked by someone else, otherwise <see cref="MetadataUnavailableException"/>.
    /// </summary>
    public static WoodpeckerException Translate(string operation, string path, Exception ex, bool opening = false)
    {
        if (ex is SqliteException { SqliteErrorCode: SqliteBusy or SqliteLocked } locked && opening)
        {
            return new DataDirectoryInUseException($"The metadata database '{path}' is in use by another process or store instance (SQLite error {locked.SqliteErrorCode}: {locked.Message}). Only one process may use a data directory at a time: stop the other one or point this one at a different directory.", ex);
        }

        if (ex is SqliteException sqlite)
        {
            var advice = sqlite.SqliteErrorCode switch
            {
                SqliteBusy or SqliteLocked => "the database file is locked by another process or another store instance. Only one process may use a data directory at a time: stop the other one or point this one at a different directory",
                SqliteFull => "the disk is full. Free space on the volume that holds it, then retry",
                SqliteIoErr => "the operating system reported an I/O error. Check the disk's health and that the path is on a local filesystem",
                SqliteReadOnly or SqlitePerm => "the database is read-only to this process. Check file permissions and that the volume is not mounted read-only",
                SqliteCantOpen => "the file cannot be opened or created. Check that the directory exists and this process may write to it",
                SqliteCorrupt or SqliteNotADb => "the file is not a Woodpecker metadata database or is corrupt. Check the path; restore the file from a backup if it was damaged",
                _ => "SQLite reported an unexpected error",
            };
            return new MetadataUnavailableException($"Metadata store {operation} failed on '{path}': {advice} (SQLite error {sqlite.SqliteErrorCode}/{sqlite.SqliteExtendedErrorCode}: {sqlite.Message}).", ex);
        }

        return ex switch
        {
            UnauthorizedAccessException => new MetadataUnavailableException($"Metadata store {operation} failed on '{path}': access denied. Check permissions of the data directory ({ex.Message}).", ex),
            _ => new MetadataUnavailableException($"Metadata store {operation} failed on '{path}': {ex.Message} Check that the path is correct, on a writable local filesystem, and that the disk is not full.", ex),
        };
    }
}
