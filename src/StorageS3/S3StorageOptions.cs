namespace Woodpecker.Storage.S3;

/// <summary>Options of the S3-compatible storage backend. Defaults suit AWS S3; set <see cref="ServiceUrl"/> for MinIO or s3rver.</summary>
public sealed class S3StorageOptions
{
    /// <summary>The bucket. Required.</summary>
    public string Bucket { get; set; } = "";

    /// <summary>Prefix of every object key (no leading or trailing '/'). Default "woodpecker".</summary>
    public string KeyPrefix { get; set; } = "woodpecker";

    /// <summary>The endpoint of an S3-compatible store (MinIO, s3rver, ...); null for AWS S3 in <see cref="Region"/>.</summary>
    public string? ServiceUrl { get; set; }

    /// <summary>The region (signing region for S3-compatible stores). Default us-east-1.</summary>
    public string Region { get; set; } = "us-east-1";

    /// <summary>Path-style addressing (http://host/bucket/key) instead of virtual-host style. Default: true when <see cref="ServiceUrl"/> is set.</summary>
    public bool? ForcePathStyle { get; set; }

    /// <summary>Static access key; null uses the environment variables or the SDK's default credential chain.</summary>
    public string? AccessKey { get; set; }

    /// <summary>Static secret key, with <see cref="AccessKey"/>.</summary>
    public string? SecretKey { get; set; }

    /// <summary>Create the bucket at start when it does not exist. Default false.</summary>
    public bool CreateBucketIfMissing { get; set; }

    /// <summary>
    /// Checksums the SDK adds to requests and expects in responses. Default <see cref="S3ChecksumMode.WhenRequired"/>:
    /// no aws-chunked uploads and no trailing checksums, which every S3-compatible store understands (s3rver and
    /// older MinIO would otherwise store the chunk framing inside the object). Woodpecker checks its own CRC-32C
    /// on every block and record either way.
    /// </summary>
    public S3ChecksumMode ChecksumMode { get; set; } = S3ChecksumMode.WhenRequired;

    /// <summary>Whether to use conditional writes (If-None-Match) as an extra guard. Default <see cref="S3ConditionalWrites.Auto"/>: probe the store at start.</summary>
    public S3ConditionalWrites ConditionalWrites { get; set; } = S3ConditionalWrites.Auto;

    /// <summary>Largest block object. Default 4 MiB.</summary>
    public int MaxBlockBytes { get; set; } = 4 * 1024 * 1024;

    /// <summary>How long appends wait for others to share a block upload. Default 200 ms (Woodpecker's default).</summary>
    public TimeSpan MaxFlushDelay { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>Block uploads of one segment in flight at once. Default 4.</summary>
    public int MaxConcurrentUploads { get; set; } = 4;

    /// <summary>Timeout of one request attempt. Default 10 s.</summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Attempts per request (throttling, 5xx, timeouts and broken connections are retried). Default 6.</summary>
    public int MaxAttempts { get; set; } = 6;

    /// <summary>Backoff before the first retry; doubled per attempt (with jitter), at most <see cref="MaxRetryDelay"/>. Default 100 ms.</summary>
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>Longest backoff between attempts. Default 5 s.</summary>
    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Bytes per ranged GET when catching up. Default 8 MiB.</summary>
    public int ReadRangeBytes { get; set; } = 8 * 1024 * 1024;

    /// <summary>Ranged GETs a reader keeps in flight ahead of its consumer. Default 4.</summary>
    public int ReadAhead { get; set; } = 4;

    /// <summary>Size of the objects compaction merges a completed segment's blocks into. Default 64 MiB.</summary>
    public long CompactionTargetBytes { get; set; } = 64L * 1024 * 1024;

    /// <summary>A copy to change without touching these options (they hold only values).</summary>
    public S3StorageOptions Clone() => (S3StorageOptions)MemberwiseClone();

    /// <summary>
    /// Compaction merges a completed segment's objects only when they average less than this. Default 1 MiB: the
    /// small blocks of slow writers (a few KiB every flush interval) are merged; the full blocks of a busy writer
    /// are left as they are, since merging them would re-read and re-write every byte while writers upload.
    /// </summary>
    public long CompactionMinMeanObjectBytes { get; set; } = 1024 * 1024;

    /// <summary>Throws when a setting is out of range, naming it.</summary>
    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(Bucket))
        {
            throw new ArgumentException("S3StorageOptions.Bucket must name a bucket.", nameof(Bucket));
        }

        if (Bucket.Length is < 3 or > 63 || !char.IsAsciiLetterLower(Bucket[0]) && !char.IsAsciiDigit(Bucket[0])
            || Bucket.Any(c => !char.IsAsciiLetterLower(c) && !char.IsAsciiDigit(c) && c is not '-' and not '.'))
        {
            throw new ArgumentException(
                $"S3StorageOptions.Bucket '{Bucket}' is not a valid bucket name: 3 to 63 characters of lowercase letters, digits, '.' and '-', starting with a letter or digit.",
                nameof(Bucket));
        }

        if (KeyPrefix.StartsWith('/') || KeyPrefix.EndsWith('/'))
        {
            throw new ArgumentException("S3StorageOptions.KeyPrefix must not start or end with '/'.", nameof(KeyPrefix));
        }

        if (ServiceUrl is not null && !Uri.TryCreate(ServiceUrl, UriKind.Absolute, out _))
        {
            throw new ArgumentException($"S3StorageOptions.ServiceUrl '{ServiceUrl}' is not an absolute URL.", nameof(ServiceUrl));
        }

        if ((AccessKey is null) != (SecretKey is null))
        {
            throw new ArgumentException("S3StorageOptions.AccessKey and SecretKey must be set together.", nameof(AccessKey));
        }

        Require(MaxBlockBytes is >= 4096 and <= 256 * 1024 * 1024, nameof(MaxBlockBytes), "must be between 4 KiB and 256 MiB");
        Require(MaxFlushDelay >= TimeSpan.Zero && MaxFlushDelay <= TimeSpan.FromMinutes(1), nameof(MaxFlushDelay), "must be between 0 and 1 minute");
        Require(MaxConcurrentUploads is >= 1 and <= 64, nameof(MaxConcurrentUploads), "must be between 1 and 64");
        Require(RequestTimeout > TimeSpan.Zero, nameof(RequestTimeout), "must be positive");
        Require(MaxAttempts is >= 1 and <= 20, nameof(MaxAttempts), "must be between 1 and 20");
        Require(RetryBaseDelay > TimeSpan.Zero && MaxRetryDelay >= RetryBaseDelay, nameof(RetryBaseDelay), "must be positive and not above MaxRetryDelay");
        Require(ReadRangeBytes is >= 64 * 1024 and <= 256 * 1024 * 1024, nameof(ReadRangeBytes), "must be between 64 KiB and 256 MiB");
        Require(ReadAhead is >= 1 and <= 64, nameof(ReadAhead), "must be between 1 and 64");
        Require(CompactionTargetBytes >= MaxBlockBytes, nameof(CompactionTargetBytes), "must be at least MaxBlockBytes");
        Require(CompactionMinMeanObjectBytes is >= 0 && CompactionMinMeanObjectBytes <= CompactionTargetBytes, nameof(CompactionMinMeanObjectBytes), "must be between 0 and CompactionTargetBytes");
    }

    private static void Require(bool condition, string name, string message)
    {
        if (!condition)
        {
            throw new ArgumentOutOfRangeException(name, $"S3StorageOptions.{name} {message}.");
        }
    }
}

/// <summary>Which checksums the AWS SDK computes and validates.</summary>
public enum S3ChecksumMode
{
    /// <summary>Only when the operation requires them: plain uploads every S3-compatible store understands.</summary>
    WhenRequired,

    /// <summary>Whenever the operation supports them (AWS S3 and recent MinIO only).</summary>
    WhenSupported,
}

/// <summary>Whether conditional writes (If-None-Match: *) guard block and footer uploads.</summary>
public enum S3ConditionalWrites
{
    /// <summary>Probe the store at start and use them if it honours them.</summary>
    Auto,

    /// <summary>Never use them (fencing does not need them).</summary>
    Disabled,
}
