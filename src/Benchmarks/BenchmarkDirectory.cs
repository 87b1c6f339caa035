namespace Woodpecker.Benchmarks;

/// <summary>
/// A fresh directory for one benchmark under a parent the user chose, so raw files and data directories share one
/// filesystem. Everything in it is deleted as soon as it is measured, and the directory itself on dispose, unless
/// the user asked to keep the data.
/// </summary>
public sealed class BenchmarkDirectory : IDisposable
{
    private BenchmarkDirectory(string path, bool keep)
    {
        Path = path;
        Keep = keep;
    }

    /// <summary>The directory's absolute path.</summary>
    public string Path { get; }

    /// <summary>True when nothing is deleted.</summary>
    public bool Keep { get; }

    /// <summary>Creates a new, empty directory named after <paramref name="workload"/> under <paramref name="parent"/>.</summary>
    public static BenchmarkDirectory Create(string parent, string workload, bool keep)
    {
        var root = System.IO.Path.GetFullPath(parent);
        Directory.CreateDirectory(root);
        var path = System.IO.Path.Combine(root, $"bench-{workload}-{DateTime.UtcNow:yyyyMMdd-HHmmss}-{Guid.NewGuid().ToString("N")[..6]}");
        Directory.CreateDirectory(path);
        return new BenchmarkDirectory(path, keep);
    }

    /// <summary>The path of an entry (file or directory) inside this directory; nothing is created.</summary>
    public string PathOf(string name) => System.IO.Path.Combine(Path, name);

    /// <summary>Deletes an entry of this directory (file or directory) unless the data is kept.</summary>
    public void Delete(string path)
    {
        if (Keep)
        {
            return;
        }

        try
        {
            if (Directory.Exists(path))
            {
                Directory.Delete(path, recursive: true);
            }
            else
            {
                File.Delete(path);
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Leftovers in a temp directory are not worth failing a benchmark for.
        }
    }

    /// <inheritdoc />
    public void Dispose() => Delete(Path);
}
