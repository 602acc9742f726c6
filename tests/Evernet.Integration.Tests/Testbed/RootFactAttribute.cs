namespace Evernet.Integration.Tests.Testbed;

/// <summary>
/// A fact that needs root (it creates network namespaces). Skipped, with the reason shown, for anyone else;
/// CI runs as root, so there it always runs.
/// </summary>
public sealed class RootFactAttribute : FactAttribute
{
    public RootFactAttribute()
    {
        if (!TestbedEnvironment.IsRoot)
        {
            Skip = "needs root: the testbed creates and deletes network namespaces (run the tests as root)";
        }
    }
}
