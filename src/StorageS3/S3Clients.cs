using Amazon;
using Amazon.Runtime;
using Amazon.S3;

namespace Woodpecker.Storage.S3;

/// <summary>
/// Makes the AWS SDK client the backend uses, from its options: the one place that decides addressing, signing
/// region, checksum behaviour and timeouts. Public so that benchmarks measure the store's raw limit through exactly
/// the same client settings as the log.
/// </summary>
public static class S3Clients
{
    /// <summary>A client for <paramref name="options"/>; the SDK's own retries are off (the caller retries, counting every attempt).</summary>
    public static AmazonS3Client Create(S3StorageOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var config = new AmazonS3Config
        {
            MaxErrorRetry = 0,
            Timeout = options.RequestTimeout,
            RequestChecksumCalculation = options.ChecksumMode == S3ChecksumMode.WhenRequired ? RequestChecksumCalculation.WHEN_REQUIRED : RequestChecksumCalculation.WHEN_SUPPORTED,
            ResponseChecksumValidation = options.ChecksumMode == S3ChecksumMode.WhenRequired ? ResponseChecksumValidation.WHEN_REQUIRED : ResponseChecksumValidation.WHEN_SUPPORTED,
        };
        if (options.ServiceUrl is not null)
        {
            config.ServiceURL = options.ServiceUrl;
            config.AuthenticationRegion = options.Region;
            config.ForcePathStyle = options.ForcePathStyle ?? true;
        }
        else
        {
            config.RegionEndpoint = RegionEndpoint.GetBySystemName(options.Region);
            config.ForcePathStyle = options.ForcePathStyle ?? false;
        }

        return options.AccessKey is not null
            ? new AmazonS3Client(new BasicAWSCredentials(options.AccessKey, options.SecretKey), config)
            : new AmazonS3Client(config);
    }
}
