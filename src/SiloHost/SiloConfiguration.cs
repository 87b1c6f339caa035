using Microsoft.Extensions.Configuration;
using Woodpecker.Silo.Cluster;
using Woodpecker.Storage.S3;

namespace Woodpecker.SiloHost;

/// <summary>
/// Reads <see cref="ClusterSiloOptions"/> from the "Woodpecker" configuration section. The section's shape (Silo, Cluster,
/// Etcd, Storage) is what operators write, in appsettings.json, environment variables or docker-compose; it is mapped
/// here onto the options classes so those stay free of configuration concerns.
/// </summary>
internal static class SiloConfiguration
{
    public static ClusterSiloOptions Read(IConfiguration configuration)
    {
        var root = configuration.GetSection("Woodpecker");
        var silo = root.GetSection("Silo");
        var options = new ClusterSiloOptions();
        options.ListenAddress = silo["ListenAddress"] is { Length: > 0 } listen ? listen : options.ListenAddress;
        options.Port = Int(silo, "Port", options.Port);
        options.HealthPort = Int(silo, "HealthPort", options.HealthPort);
        if (silo["SiloId"] is { Length: > 0 } siloId)
        {
            options.Cluster.SiloId = siloId;
        }

        options.Cluster.Endpoint = silo["AdvertisedEndpoint"] ?? "";
        options.Cluster.Zone = silo["Zone"] ?? "";

        var cluster = root.GetSection("Cluster");
        options.Cluster.KeyPrefix = cluster["KeyPrefix"] is { Length: > 0 } prefix ? prefix : options.Cluster.KeyPrefix;
        options.Cluster.LeaseTtl = Duration(cluster, "LeaseTtl", options.Cluster.LeaseTtl);

        root.GetSection("Etcd").Bind(options.Etcd);
        if (root["Etcd:Endpoints"] is { Length: > 0 } commaSeparated)
        {
            // Also accept "http://a:2379,http://b:2379" in one variable (Woodpecker__Etcd__Endpoints).
            options.Etcd.Endpoints = commaSeparated.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToList();
        }

        var storage = root.GetSection("Storage");
        var backend = storage["Backend"] ?? "local";
        switch (backend.ToLowerInvariant())
        {
            case "local":
                options.DataDirectory = storage["Local:Directory"] is { Length: > 0 } directory ? directory : options.DataDirectory;
                break;
            case "s3":
                var s3 = new S3StorageOptions();
                storage.GetSection("S3").Bind(s3);
                options.S3 = s3;
                break;
            default:
                throw new ArgumentException($"Woodpecker:Storage:Backend must be 'local' or 's3' (got '{backend}').");
        }

        root.GetSection("Log").Bind(options.Log);
        root.GetSection("Runtime").Bind(options.Runtime);
        return options;
    }

    private static int Int(IConfiguration section, string key, int fallback) =>
        section[key] is not { Length: > 0 } text ? fallback
        : int.TryParse(text, out var value) ? value
        : throw new ArgumentException($"Woodpecker:Silo:{key} must be a whole number (got '{text}').");

    private static TimeSpan Duration(IConfiguration section, string key, TimeSpan fallback) =>
        section[key] is not { Length: > 0 } text ? fallback
        : TimeSpan.TryParse(text, System.Globalization.CultureInfo.InvariantCulture, out var value) ? value
        : throw new ArgumentException($"Woodpecker:Cluster:{key} must be a duration like 00:00:03 (got '{text}').");
}
