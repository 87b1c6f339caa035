using System.Text.Json.Serialization;

namespace Woodpecker.Etcd.Protocol;

// The v3 API's messages in the gateway's JSON mapping: field names as in rpc.proto, int64 as strings (the
// serializer context reads and writes numbers as strings), bytes as base64. Fields at their default value are
// omitted by etcd, so every field here has a usable default.

/// <summary>Response header: the store revision at the time of the response.</summary>
public sealed class ResponseHeader
{
    [JsonPropertyName("revision")]
    public long Revision { get; set; }

    [JsonPropertyName("cluster_id")]
    public ulong ClusterId { get; set; }

    [JsonPropertyName("member_id")]
    public ulong MemberId { get; set; }
}

/// <summary>A key with its value and revisions (mvccpb.KeyValue).</summary>
public sealed class KeyValueMessage
{
    [JsonPropertyName("key")]
    public byte[] Key { get; set; } = [];

    [JsonPropertyName("value")]
    public byte[] Value { get; set; } = [];

    [JsonPropertyName("create_revision")]
    public long CreateRevision { get; set; }

    [JsonPropertyName("mod_revision")]
    public long ModRevision { get; set; }

    [JsonPropertyName("version")]
    public long Version { get; set; }

    [JsonPropertyName("lease")]
    public long Lease { get; set; }
}

/// <summary>RangeRequest.</summary>
public sealed class RangeRequest
{
    [JsonPropertyName("key")]
    public byte[] Key { get; set; } = [];

    [JsonPropertyName("range_end")]
    public byte[]? RangeEnd { get; set; }

    [JsonPropertyName("limit")]
    public long Limit { get; set; }

    [JsonPropertyName("revision")]
    public long Revision { get; set; }

    [JsonPropertyName("sort_order")]
    public string? SortOrder { get; set; }

    [JsonPropertyName("sort_target")]
    public string? SortTarget { get; set; }
}

/// <summary>RangeResponse.</summary>
public sealed class RangeResponse
{
    [JsonPropertyName("header")]
    public ResponseHeader Header { get; set; } = new();

    [JsonPropertyName("kvs")]
    public List<KeyValueMessage> Kvs { get; set; } = [];

    [JsonPropertyName("more")]
    public bool More { get; set; }

    [JsonPropertyName("count")]
    public long Count { get; set; }
}

/// <summary>PutRequest.</summary>
public sealed class PutRequest
{
    [JsonPropertyName("key")]
    public byte[] Key { get; set; } = [];

    [JsonPropertyName("value")]
    public byte[] Value { get; set; } = [];

    [JsonPropertyName("lease")]
    public long Lease { get; set; }
}

/// <summary>PutResponse.</summary>
public sealed class PutResponse
{
    [JsonPropertyName("header")]
    public ResponseHeader Header { get; set; } = new();
}

/// <summary>DeleteRangeRequest.</summary>
public sealed class DeleteRangeRequest
{
    [JsonPropertyName("key")]
    public byte[] Key { get; set; } = [];

    [JsonPropertyName("range_end")]
    public byte[]? RangeEnd { get; set; }
}

/// <summary>DeleteRangeResponse.</summary>
public sealed class DeleteRangeResponse
{
    [JsonPropertyName("header")]
    public ResponseHeader Header { get; set; } = new();

    [JsonPropertyName("deleted")]
    public long Deleted { get; set; }
}

/// <summary>Compare (etcd's Compare message: result, target, key and the target's value).</summary>
public sealed class CompareMessage
{
    [JsonPropertyName("result")]
    public string Result { get; set; } = "EQUAL";

    [JsonPropertyName("target")]
    public string Target { get; set; } = "VERSION";

    [JsonPropertyName("key")]
    public byte[] Key { get; set; } = [];

    [JsonPropertyName("version")]
    public long Version { get; set; }

    [JsonPropertyName("create_revision")]
    public long CreateRevision { get; set; }

    [JsonPropertyName("mod_revision")]
    public long ModRevision { get; set; }

    [JsonPropertyName("value")]
    public byte[]? Value { get; set; }
}

/// <summary>RequestOp: exactly one of its fields is set.</summary>
public sealed class RequestOp
{
    [JsonPropertyName("request_range")]
    public RangeRequest? RequestRange { get; set; }

    [JsonPropertyName("request_put")]
    public PutRequest? RequestPut { get; set; }

    [JsonPropertyName("request_delete_range")]
    public DeleteRangeRequest? RequestDeleteRange { get; set; }
}

/// <summary>ResponseOp: the response to one RequestOp.</summary>
public sealed class ResponseOp
{
    [JsonPropertyName("response_range")]
    public RangeResponse? ResponseRange { get; set; }

    [JsonPropertyName("response_put")]
    public PutResponse? ResponsePut { get; set; }

    [JsonPropertyName("response_delete_range")]
    public DeleteRangeResponse? ResponseDeleteRange { get; set; }
}

/// <summary>TxnRequest.</summary>
public sealed class TxnRequest
{
    [JsonPropertyName("compare")]
    public List<CompareMessage> Compare { get; set; } = [];

    [JsonPropertyName("success")]
    public List<RequestOp> Success { get; set; } = [];

    [JsonPropertyName("failure")]
    public List<RequestOp> Failure { get; set; } = [];
}

/// <summary>TxnResponse.</summary>
public sealed class TxnResponse
{
    [JsonPropertyName("header")]
    public ResponseHeader Header { get; set; } = new();

    [JsonPropertyName("succeeded")]
    public bool Succeeded { get; set; }

    [JsonPropertyName("responses")]
    public List<ResponseOp> Responses { get; set; } = [];
}

/// <summary>CompactionRequest.</summary>
public sealed class CompactionRequest
{
    [JsonPropertyName("revision")]
    public long Revision { get; set; }

    [JsonPropertyName("physical")]
    public bool Physical { get; set; }
}

/// <summary>LeaseGrantRequest (TTL in seconds; ID 0 lets etcd choose).</summary>
public sealed class LeaseGrantRequest
{
    [JsonPropertyName("TTL")]
    public long Ttl { get; set; }

    [JsonPropertyName("ID")]
    public long Id { get; set; }
}

/// <summary>LeaseGrantResponse.</summary>
public sealed class LeaseGrantResponse
{
    [JsonPropertyName("header")]
    public ResponseHeader Header { get; set; } = new();

    [JsonPropertyName("ID")]
    public long Id { get; set; }

    [JsonPropertyName("TTL")]
    public long Ttl { get; set; }

    [JsonPropertyName("error")]
    public string? Error { get; set; }
}

/// <summary>A request naming one lease (keep-alive, revoke, time-to-live).</summary>
public sealed class LeaseIdRequest
{
    [JsonPropertyName("ID")]
    public long Id { get; set; }
}

/// <summary>LeaseKeepAliveResponse; TTL 0 (omitted) means the lease does not exist.</summary>
public sealed class LeaseKeepAliveResponse
{
    [JsonPropertyName("header")]
    public ResponseHeader Header { get; set; } = new();

    [JsonPropertyName("ID")]
    public long Id { get; set; }

    [JsonPropertyName("TTL")]
    public long Ttl { get; set; }
}

/// <summary>LeaseTimeToLiveResponse; TTL -1 means the lease does not exist.</summary>
public sealed class LeaseTimeToLiveResponse
{
    [JsonPropertyName("header")]
    public ResponseHeader Header { get; set; } = new();

    [JsonPropertyName("ID")]
    public long Id { get; set; }

    [JsonPropertyName("TTL")]
    public long Ttl { get; set; }

    [JsonPropertyName("grantedTTL")]
    public long GrantedTtl { get; set; }
}

/// <summary>AuthenticateRequest.</summary>
public sealed class AuthenticateRequest
{
    [JsonPropertyName("name")]
    public string Name { get; set; } = "";

    [JsonPropertyName("password")]
    public string Password { get; set; } = "";
}

/// <summary>AuthenticateResponse.</summary>
public sealed class AuthenticateResponse
{
    [JsonPropertyName("token")]
    public string Token { get; set; } = "";
}

/// <summary>WatchRequest with a create request.</summary>
public sealed class WatchRequest
{
    [JsonPropertyName("create_request")]
    public WatchCreateRequest CreateRequest { get; set; } = new();
}

/// <summary>WatchCreateRequest.</summary>
public sealed class WatchCreateRequest
{
    [JsonPropertyName("key")]
    public byte[] Key { get; set; } = [];

    [JsonPropertyName("range_end")]
    public byte[]? RangeEnd { get; set; }

    [JsonPropertyName("start_revision")]
    public long StartRevision { get; set; }

    [JsonPropertyName("progress_notify")]
    public bool ProgressNotify { get; set; }
}

/// <summary>One line of the watch stream.</summary>
public sealed class WatchStreamMessage
{
    [JsonPropertyName("result")]
    public WatchResponse? Result { get; set; }

    [JsonPropertyName("error")]
    public StatusMessage? Error { get; set; }
}

/// <summary>WatchResponse.</summary>
public sealed class WatchResponse
{
    [JsonPropertyName("header")]
    public ResponseHeader Header { get; set; } = new();

    [JsonPropertyName("watch_id")]
    public long WatchId { get; set; }

    [JsonPropertyName("created")]
    public bool Created { get; set; }

    [JsonPropertyName("canceled")]
    public bool Canceled { get; set; }

    [JsonPropertyName("compact_revision")]
    public long CompactRevision { get; set; }

    [JsonPropertyName("cancel_reason")]
    public string? CancelReason { get; set; }

    [JsonPropertyName("events")]
    public List<EventMessage> Events { get; set; } = [];
}

/// <summary>mvccpb.Event; type is omitted for PUT (its default).</summary>
public sealed class EventMessage
{
    [JsonPropertyName("type")]
    public string? Type { get; set; }

    [JsonPropertyName("kv")]
    public KeyValueMessage Kv { get; set; } = new();
}

/// <summary>One line of a streamed keep-alive.</summary>
public sealed class LeaseKeepAliveStreamMessage
{
    [JsonPropertyName("result")]
    public LeaseKeepAliveResponse? Result { get; set; }

    [JsonPropertyName("error")]
    public StatusMessage? Error { get; set; }
}

/// <summary>The gateway's error body (a google.rpc.Status).</summary>
public sealed class StatusMessage
{
    [JsonPropertyName("error")]
    public string? Error { get; set; }

    [JsonPropertyName("message")]
    public string? Message { get; set; }

    [JsonPropertyName("code")]
    public int Code { get; set; }
}

/// <summary>An empty response body (only the header matters, if at all).</summary>
public sealed class HeaderOnlyResponse
{
    [JsonPropertyName("header")]
    public ResponseHeader Header { get; set; } = new();
}
