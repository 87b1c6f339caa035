namespace Woodpecker.Cluster.Messaging;

/// <summary>
/// Carries the errors of grain methods between silos. The cluster runtime knows nothing about the application's error
/// types; the host supplies this codec so that, say, a "writer fenced" error thrown on one silo is the same typed
/// exception on the caller.
/// </summary>
public interface IRemoteErrorCodec
{
    /// <summary>An application error code and message for an exception a grain method threw.</summary>
    (int Code, string Message) Encode(Exception error);

    /// <summary>The exception to throw on the caller for a code and message from <see cref="Encode"/>.</summary>
    Exception Decode(int code, string message);

    /// <summary>The exception for "the silo could not be reached or lost its lease; the outcome is unknown".</summary>
    Exception Unavailable(string message, Exception? inner = null);
}
