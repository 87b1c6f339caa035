using Woodpecker.TestingHost;
using Xunit;

namespace Woodpecker.Storage.S3.Tests;

/// <summary>One real s3rver for a test class; each test uses its own bucket or key prefix.</summary>
public sealed class S3rverFixture : IAsyncLifetime
{
    private S3rverServer? _server;

    public S3rverServer Server => _server ?? throw new InvalidOperationException("s3rver was not started.");

    /// <summary>Options for a fresh, isolated place in the store (a unique key prefix in a shared bucket).</summary>
    public S3StorageOptions NewOptions(string? serviceUrl = null) => new()
    {
        Bucket = "woodpecker-tests",
        KeyPrefix = "t-" + Guid.NewGuid().ToString("N")[..12],
        ServiceUrl = serviceUrl ?? Server.Endpoint,
        AccessKey = S3rverServer.AccessKey,
        SecretKey = S3rverServer.SecretKey,
        CreateBucketIfMissing = true,
    };

    public async Task InitializeAsync() => _server = await S3rverServer.StartAsync();

    public async Task DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }
}
