using Woodpecker.Client;

namespace Woodpecker.Cli.Hosting;

/// <summary>
/// Makes the client every command uses, from the global options. The one place that decides how `wp` reaches the
/// service: an embedded silo in the --data directory today; a later --cluster option plugs in here.
/// </summary>
internal sealed class ClientFactory
{
    public ClientFactory(string dataDirectory) => DataDirectory = dataDirectory;

    /// <summary>The embedded data directory, as the user gave it (used in messages).</summary>
    public string DataDirectory { get; }

    /// <summary>Starts a client. Dispose it to release the data directory.</summary>
    public Task<WoodpeckerClient> CreateAsync(CancellationToken cancellationToken) =>
        WoodpeckerClient.CreateEmbeddedAsync(DataDirectory, cancellationToken);
}
