namespace Evernet.Integration.Tests.Testbed;

/// <summary>Position of an end-to-end test in the shared testbed's run (see <see cref="EvernetTestOrderer"/>).</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class EvernetOrderAttribute(int position) : Attribute
{
    public int Position { get; } = position;
}
