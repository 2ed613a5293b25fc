namespace Strata.Simulation.Routing;

public enum RouterPolicy
{
    RoundRobin,
    KvAware,
}
