using Woodpecker.Errors;

namespace Woodpecker.Silo.Embedded;

/// <summary>
/// Makes sure one process at a time uses an embedded data directory: an exclusive lock on its LOCK file, which the
/// operating system releases when the process exits, even after kill -9.
/// </summary>
internal sealed class DataDirectoryLock : IDisposable
{
    private readonly FileStream _lockFile;

    private DataDirectoryLock(FileStream lockFile) => _lockFile = lockFile;

    public static DataDirectoryLock Acquire(string directory)
    {
        try
        {
            Directory.CreateDirectory(directory);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new StorageUnavailableException($"Cannot create the data directory '{directory}': {ex.Message} Choose a writable directory.", ex);
        }

        var path = Path.Combine(directory, "LOCK");
        try
        {
            // FileShare.None takes an exclusive advisory lock (flock) on Unix and a sharing lock on Windows.
            return new DataDirectoryLock(new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None));
        }
        catch (IOException ex)
        {
            throw new DataDirectoryInUseException(
                $"The data directory '{directory}' is in use by another process. Stop that process, or give this one its own directory.", ex);
        }
        catch (UnauthorizedAccessException ex)
        {
            throw new StorageUnavailableException($"Cannot lock '{path}': {ex.Message} Check the directory's permissions.", ex);
        }
    }

    public void Dispose() => _lockFile.Dispose();
}
