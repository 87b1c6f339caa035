using Woodpecker.Cluster.Messaging;
using Woodpecker.Errors;
using Woodpecker.Grains.Service;

namespace Woodpecker.Silo.Cluster;

/// <summary>Carries the log domain's typed errors between silos: the code and message of a <see cref="WoodpeckerException"/>.</summary>
internal sealed class WoodpeckerErrorCodec : IRemoteErrorCodec
{
    public static readonly WoodpeckerErrorCodec Instance = new();

    public (int Code, string Message) Encode(Exception error)
    {
        var typed = ErrorTranslation.ToWoodpecker(error);
        return ((int)typed.ErrorCode, typed.Message);
    }

    public Exception Decode(int code, string message) => WoodpeckerException.FromCode((WoodpeckerErrorCode)code, message);

    public Exception Unavailable(string message, Exception? inner = null) => new ServiceUnavailableException(message, inner);
}
