using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;
using Woodpecker.Errors;

namespace Woodpecker.Storage.Local;

/// <summary>
/// The durability system calls .NET does not expose (public so benchmarks measure the device with the very same calls): fdatasync on a file (FileStream.Flush(true) issues a full
/// fsync) and fsync on a directory (needed so a newly created or renamed file survives a power loss).
/// </summary>
public static partial class NativeFile
{
    private const int Eintr = 4;

    /// <summary>Makes the file's data (and the metadata needed to read it, such as its size) durable.</summary>
    public static void DataSync(SafeFileHandle handle, string path)
    {
        int result;
        do
        {
            result = OperatingSystem.IsLinux() ? FDataSync(handle) : FSync(handle);
        }
        while (result != 0 && Marshal.GetLastPInvokeError() == Eintr);

        if (result != 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            throw new StorageUnavailableException(
                $"Syncing '{path}' to disk failed ({Marshal.GetPInvokeErrorMessage(errno)}, errno {errno}). The data written since the last " +
                "successful sync may be lost; the segment will be recovered from what is on disk. Check the disk and the file system.");
        }
    }

    /// <summary>Makes the directory entries of <paramref name="directory"/> durable.</summary>
    public static void SyncDirectory(string directory)
    {
        if (!OperatingSystem.IsLinux() && !OperatingSystem.IsMacOS())
        {
            return; // Windows has no directory fsync; NTFS journals directory changes itself.
        }

        var flags = OperatingSystem.IsLinux() ? 0x10000 : 0x100000; // O_RDONLY | O_DIRECTORY
        var fd = Open(directory, flags);
        if (fd < 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            throw new StorageUnavailableException($"Opening directory '{directory}' to sync it failed ({Marshal.GetPInvokeErrorMessage(errno)}).");
        }

        try
        {
            int result;
            do
            {
                result = FSyncDescriptor(fd);
            }
            while (result != 0 && Marshal.GetLastPInvokeError() == Eintr);

            if (result != 0)
            {
                var errno = Marshal.GetLastPInvokeError();
                throw new StorageUnavailableException($"Syncing directory '{directory}' failed ({Marshal.GetPInvokeErrorMessage(errno)}).");
            }
        }
        finally
        {
            _ = Close(fd);
        }
    }

    [LibraryImport("libc", EntryPoint = "fdatasync", SetLastError = true)]
    private static partial int FDataSync(SafeFileHandle handle);

    [LibraryImport("libc", EntryPoint = "fsync", SetLastError = true)]
    private static partial int FSync(SafeFileHandle handle);

    [LibraryImport("libc", EntryPoint = "fsync", SetLastError = true)]
    private static partial int FSyncDescriptor(int fd);

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    private static partial int Close(int fd);
}
