using System.Diagnostics;

namespace Woodpecker.TestingHost;

/// <summary>
/// A real S3-protocol server — s3rver from npm, pinned by the repository's package-lock.json — on a free loopback
/// port with its own temporary directory. Can be killed, paused (SIGSTOP) and restarted on the same port and data to
/// test a store that goes away. Fails — never skips — when s3rver is not installed: run ./scripts/test.sh, which
/// runs <c>npm ci</c>.
/// </summary>
public sealed class S3rverServer : TestServer
{
    /// <summary>s3rver's fixed credentials (it checks signatures against them).</summary>
    public const string AccessKey = "S3RVER";

    /// <summary>s3rver's fixed credentials.</summary>
    public const string SecretKey = "S3RVER";

    /// <summary>Environment variable naming the s3rver executable, when it is not under the repository's node_modules.</summary>
    public const string BinaryEnvironmentVariable = "WOODPECKER_S3RVER";

    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(2) };

    private S3rverServer()
        : base("s3rver", "wp-s3rver")
    {
        Port = FreePorts.Next();
    }

    /// <summary>The port on 127.0.0.1.</summary>
    public int Port { get; }

    /// <summary>The service URL to give the S3 client (path-style addressing).</summary>
    public string Endpoint => $"http://127.0.0.1:{Port}";

    /// <summary>Starts a server and waits until it answers.</summary>
    public static async Task<S3rverServer> StartAsync()
    {
        var server = new S3rverServer();
        try
        {
            await server.StartServerAsync().ConfigureAwait(false);
            return server;
        }
        catch
        {
            await server.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>
    /// Finds the s3rver executable: $WOODPECKER_S3RVER, else node_modules/.bin/s3rver in the nearest directory above
    /// the running program that has one (the repository root after <c>npm ci</c>).
    /// </summary>
    public static string FindBinary()
    {
        if (Environment.GetEnvironmentVariable(BinaryEnvironmentVariable) is { Length: > 0 } fromEnvironment)
        {
            return File.Exists(fromEnvironment)
                ? fromEnvironment
                : throw new InvalidOperationException($"${BinaryEnvironmentVariable} names '{fromEnvironment}', which does not exist.");
        }

        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            var candidate = System.IO.Path.Combine(directory.FullName, "node_modules", ".bin", "s3rver");
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new InvalidOperationException(
            "s3rver is not installed, and tests that need a real S3-protocol server cannot run. Run ./scripts/test.sh " +
            "(it runs `npm ci` in the repository root, installing the s3rver version package-lock.json pins), or set " +
            $"${BinaryEnvironmentVariable} to an s3rver executable.");
    }

    /// <inheritdoc />
    protected override async Task StartServerAsync()
    {
        var start = new ProcessStartInfo(FindBinary());
        // s3rver encrypts ListObjectsV2 continuation tokens with DES, which OpenSSL 3 (Node 17+) only offers in its
        // legacy provider: without it every listing longer than one page fails with 500 InternalError.
        start.Environment["NODE_OPTIONS"] = "--openssl-legacy-provider";
        foreach (var argument in new[]
        {
            "--directory", Directory.Path,
            "--address", "127.0.0.1",
            "--port", Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--silent",
            // Path-style only: bucket names never become host names on loopback.
            "--no-vhost-buckets",
        })
        {
            start.ArgumentList.Add(argument);
        }

        await StartProcessAsync(start, async () =>
        {
            // Any HTTP answer (an unsigned request gets 403) means the server is accepting requests.
            using var response = await Http.GetAsync(new Uri($"{Endpoint}/")).ConfigureAwait(false);
            return true;
        }, TimeSpan.FromSeconds(20), Endpoint).ConfigureAwait(false);
    }
}
