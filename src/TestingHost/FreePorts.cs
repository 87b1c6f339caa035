using System.Net;
using System.Net.Sockets;

namespace Woodpecker.TestingHost;

/// <summary>Free TCP ports on the loopback interface.</summary>
public static class FreePorts
{
    /// <summary>A port nothing listens on right now (the OS picks it).</summary>
    public static int Next()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
