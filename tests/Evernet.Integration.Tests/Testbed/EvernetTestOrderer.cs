using Xunit.Abstractions;
using Xunit.Sdk;

namespace Evernet.Integration.Tests.Testbed;

/// <summary>
/// Runs the end-to-end tests on the shared testbed in <see cref="EvernetOrderAttribute"/> order: the tests that need
/// settled weights (rebalancing) before the ones that fail gateways (a recovered gateway ramps up for a minute). Each
/// test still stands alone: it waits for what it needs, so any order is correct, this one is only quicker.
/// </summary>
public sealed class EvernetTestOrderer : ITestCaseOrderer
{
    public const string TypeName = "Evernet.Integration.Tests.Testbed.EvernetTestOrderer";
    public const string AssemblyName = "Evernet.Integration.Tests";

    public IEnumerable<TTestCase> OrderTestCases<TTestCase>(IEnumerable<TTestCase> testCases)
        where TTestCase : ITestCase =>
        testCases.OrderBy(t => Position(t)).ThenBy(t => t.TestMethod.Method.Name, StringComparer.Ordinal);

    private static int Position(ITestCase testCase) =>
        testCase.TestMethod.Method.GetCustomAttributes(typeof(EvernetOrderAttribute).AssemblyQualifiedName)
            .Select(a => (int)a.GetConstructorArguments().First())
            .DefaultIfEmpty(int.MaxValue)
            .First();
}
