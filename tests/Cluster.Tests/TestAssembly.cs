using Xunit;

// The tests start real silos, etcd servers and silo processes and measure failover times: run the classes one after
// another so two clusters never compete for the two CPU cores and stretch each other's timings.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
