using System.Net.Sockets;

namespace Evernet.Dataplane;

public enum IpFamily : byte
{
    V4 = 4,
    V6 = 6,
}

public static class IpFamilyExtensions
{
    /// <summary>The <c>ip</c> family switch ("-4" / "-6").</summary>
    public static string Flag(this IpFamily family) => family == IpFamily.V6 ? "-6" : "-4";

    public static AddressFamily ToAddressFamily(this IpFamily family) =>
        family == IpFamily.V6 ? AddressFamily.InterNetworkV6 : AddressFamily.InterNetwork;

    public static IpFamily ToIpFamily(this AddressFamily family) => family == AddressFamily.InterNetworkV6 ? IpFamily.V6 : IpFamily.V4;
}
