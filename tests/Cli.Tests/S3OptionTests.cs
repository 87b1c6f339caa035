using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;
using Woodpecker.TestingHost;
using Xunit;

namespace Woodpecker.Cli.Tests;

/// <summary>`wp --s3-bucket/--s3-endpoint`: segments in a real S3-protocol server (s3rver).</summary>
public sealed class S3OptionTests : IAsyncLifetime
{
    private S3rverServer? _s3;

    public async Task InitializeAsync()
    {
        _s3 = await S3rverServer.StartAsync();
        // The AWS SDK reads credentials from the process environment, not through wp's console abstraction.
        Environment.SetEnvironmentVariable("AWS_ACCESS_KEY_ID", S3rverServer.AccessKey);
        Environment.SetEnvironmentVariable("AWS_SECRET_ACCESS_KEY", S3rverServer.SecretKey);
    }

    public async Task DisposeAsync()
    {
        if (_s3 is not null)
        {
            await _s3.DisposeAsync();
        }
    }

    [Fact]
    public async Task An_endpoint_without_a_bucket_is_a_usage_error()
    {
        using var dir = new TempDirectory();
        var result = await Wp.In(dir.Path, "--s3-endpoint", _s3!.Endpoint, "log", "list");
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("--s3-endpoint needs --s3-bucket", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_invalid_bucket_name_is_a_usage_error_that_states_the_rule()
    {
        using var dir = new TempDirectory();
        var result = await Wp.In(dir.Path, "--s3-bucket", "Not_A_Bucket", "--s3-endpoint", _s3!.Endpoint, "log", "list");
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("3 to 63 characters", result.Error, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(dir.Path, "metadata")) && Directory.EnumerateFileSystemEntries(dir.Path).Any(), "bad input created files");
    }

    [Fact]
    public async Task A_missing_bucket_is_reported_with_how_to_create_it()
    {
        using var dir = new TempDirectory();
        var result = await Wp.In(dir.Path, "--s3-bucket", "no-such-bucket", "--s3-endpoint", _s3!.Endpoint, "log", "list");
        Assert.Equal(1, result.ExitCode);
        Assert.Contains("does not exist", result.Error, StringComparison.Ordinal);
        Assert.Contains("--s3-create-bucket", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Logs_live_in_the_bucket_and_deleting_one_removes_every_object()
    {
        using var dir = new TempDirectory();
        string[] s3 = ["--data", dir.Path, "--s3-bucket", "wp-cli", "--s3-endpoint", _s3!.Endpoint, "--s3-prefix", "cli", "--s3-create-bucket"];

        Assert.Equal(0, (await Wp.Run([.. s3, "log", "create", "orders"])).ExitCode);
        var appended = await Wp.Run([.. s3, "append", "orders", "one", "two", "three"]);
        Assert.Equal(0, appended.ExitCode);
        Assert.Equal(["0:0", "0:1", "0:2"], appended.Lines);
        Assert.NotEmpty(await ListAsync("wp-cli", "cli/"));

        // A new process (the previous one sealed its segment on close) reads it back from the store.
        var read = await Wp.Run([.. s3, "read", "orders"]);
        Assert.Equal(["0:0\tone", "0:1\ttwo", "0:2\tthree"], read.Lines);
        var info = await Wp.Run([.. s3, "log", "info", "orders"]);
        Assert.Contains("Completed", info.Out, StringComparison.Ordinal);

        Assert.Equal(0, (await Wp.Run([.. s3, "log", "delete", "orders"])).ExitCode);
        Assert.Empty(await ListAsync("wp-cli", "cli/logs/"));
    }

    private async Task<List<string>> ListAsync(string bucket, string prefix)
    {
        using var client = new AmazonS3Client(
            new BasicAWSCredentials(S3rverServer.AccessKey, S3rverServer.SecretKey),
            new AmazonS3Config { ServiceURL = _s3!.Endpoint, ForcePathStyle = true, AuthenticationRegion = "us-east-1" });
        var keys = new List<string>();
        var request = new ListObjectsV2Request { BucketName = bucket, Prefix = prefix };
        ListObjectsV2Response response;
        do
        {
            response = await client.ListObjectsV2Async(request);
            keys.AddRange((response.S3Objects ?? []).Select(o => o.Key));
            request.ContinuationToken = response.NextContinuationToken;
        }
        while (response.IsTruncated == true);
        return keys;
    }
}
