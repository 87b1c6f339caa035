using System.Runtime.InteropServices;

namespace Woodpecker.Benchmarks;

/// <summary>Where a benchmark ran, for the results table.</summary>
/// <param name="MachineName">Host name.</param>
/// <param name="OperatingSystem">OS description.</param>
/// <param name="Runtime">.NET runtime description.</param>
/// <param name="ProcessorCount">Logical processors.</param>
/// <param name="DataParent">Directory the benchmark files were written under.</param>
/// <param name="FileSystem">File system type of that directory, when known.</param>
public sealed record MachineInfo(string MachineName, string OperatingSystem, string Runtime, int ProcessorCount, string DataParent, string? FileSystem)
{
    /// <summary>Describes this machine and the file system of <paramref name="dataParent"/>.</summary>
    public static MachineInfo Current(string dataParent)
    {
        var full = Path.GetFullPath(dataParent);
        string? fileSystem = null;
        try
        {
            fileSystem = new DriveInfo(full).DriveFormat;
        }
        catch (Exception ex) when (ex is IOException or ArgumentException or UnauthorizedAccessException)
        {
            // Unknown file system: leave it out.
        }

        return new MachineInfo(
            Environment.MachineName, RuntimeInformation.OSDescription, RuntimeInformation.FrameworkDescription, Environment.ProcessorCount, full, fileSystem);
    }
}
