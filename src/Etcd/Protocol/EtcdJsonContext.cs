using System.Text.Json.Serialization;

namespace Woodpecker.Etcd.Protocol;

/// <summary>Source-generated JSON for the gateway's messages: int64 travel as strings, defaults are omitted.</summary>
[JsonSourceGenerationOptions(
    NumberHandling = JsonNumberHandling.AllowReadingFromString | JsonNumberHandling.WriteAsString,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingDefault)]
[JsonSerializable(typeof(RangeRequest))]
[JsonSerializable(typeof(RangeResponse))]
[JsonSerializable(typeof(PutRequest))]
[JsonSerializable(typeof(PutResponse))]
[JsonSerializable(typeof(DeleteRangeRequest))]
[JsonSerializable(typeof(DeleteRangeResponse))]
[JsonSerializable(typeof(TxnRequest))]
[JsonSerializable(typeof(TxnResponse))]
[JsonSerializable(typeof(CompactionRequest))]
[JsonSerializable(typeof(LeaseGrantRequest))]
[JsonSerializable(typeof(LeaseGrantResponse))]
[JsonSerializable(typeof(LeaseIdRequest))]
[JsonSerializable(typeof(LeaseKeepAliveStreamMessage))]
[JsonSerializable(typeof(LeaseTimeToLiveResponse))]
[JsonSerializable(typeof(AuthenticateRequest))]
[JsonSerializable(typeof(AuthenticateResponse))]
[JsonSerializable(typeof(WatchRequest))]
[JsonSerializable(typeof(WatchStreamMessage))]
[JsonSerializable(typeof(StatusMessage))]
[JsonSerializable(typeof(HeaderOnlyResponse))]
internal sealed partial class EtcdJsonContext : JsonSerializerContext;
