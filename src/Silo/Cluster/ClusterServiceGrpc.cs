using Woodpecker.Cluster.Membership;
using Woodpecker.Protocol.V1;
using Woodpecker.Transport;

namespace Woodpecker.Silo.Cluster;

/// <summary>Serves woodpecker.v1.ClusterService: the live silos, so clients can route each log's calls straight to its silo.</summary>
public static class ClusterServiceGrpc
{
    /// <summary>Defines the service from this silo's membership view.</summary>
    public static GrpcServiceDefinition Create(ClusterMembership membership) =>
        new GrpcServiceDefinition("woodpecker.v1.ClusterService").AddUnary<GetMembersRequest, GetMembersResponse>(
            "GetMembers",
            GetMembersRequest.Parser,
            (_, _) =>
            {
                if (!membership.IsServing)
                {
                    throw new GrpcStatusException(GrpcStatusCode.Unavailable, "This silo is not serving (it left the cluster or lost its lease); ask another silo.");
                }

                var view = membership.View;
                var response = new GetMembersResponse { Revision = view.Revision };
                response.Silos.AddRange(view.Silos.Select(s => new Protocol.V1.SiloInfo
                {
                    SiloId = s.SiloId, Endpoint = s.Endpoint.ToString().TrimEnd('/'), Zone = s.Zone, Activations = s.Activations,
                }));
                return Task.FromResult(response);
            });
}
