using System.Net;
using Microsoft.AspNetCore.Http;

namespace Evernet.Daemon.Web;

/// <summary>
/// Checks every request before it is served: the Host header (against DNS rebinding) and, for POSTs, where the request came
/// from (against cross-site requests; the CSRF token and the SameSite cookie are the other two layers).
/// </summary>
public sealed class RequestGuard(IEnumerable<string> allowedHostNames)
{
    private readonly HashSet<string> _allowedHostNames = new(allowedHostNames.Select(n => n.TrimEnd('.')), StringComparer.OrdinalIgnoreCase) { "localhost" };

    /// <summary>
    /// An IP literal cannot be rebound, so any is fine; a name must be "localhost" or configured. A rebinding attack needs
    /// the victim's browser to send the attacker's name, which is then refused.
    /// </summary>
    public bool IsAllowedHost(HostString host)
    {
        if (!host.HasValue) return false;
        string name = host.Host;
        if (name.StartsWith('[') && name.EndsWith(']')) name = name[1..^1];
        return IPAddress.TryParse(name, out _) || _allowedHostNames.Contains(name.TrimEnd('.'));
    }

    /// <summary>
    /// False when the browser tells us the POST comes from another site: an Origin that is not this interface, or
    /// Sec-Fetch-Site "cross-site"/"same-site". Non-browser clients send neither and pass (they still need session and token).
    /// </summary>
    public static bool IsSameOrigin(HttpRequest request)
    {
        string? fetchSite = request.Headers["Sec-Fetch-Site"];
        if (fetchSite is "cross-site" or "same-site") return false;
        string? origin = request.Headers.Origin;
        if (string.IsNullOrEmpty(origin)) return true;
        if (!Uri.TryCreate(origin, UriKind.Absolute, out var uri)) return false;
        return string.Equals(uri.Authority, request.Host.Value, StringComparison.OrdinalIgnoreCase)
            && string.Equals(uri.Scheme, request.Scheme, StringComparison.OrdinalIgnoreCase);
    }

    public static void AddSecurityHeaders(HttpResponse response)
    {
        var headers = response.Headers;
        headers.ContentSecurityPolicy =
            "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
            "form-action 'self'; frame-ancestors 'none'; base-uri 'none'";
        headers.XContentTypeOptions = "nosniff";
        headers.XFrameOptions = "DENY";
        headers["Referrer-Policy"] = "no-referrer";
        headers["Cross-Origin-Opener-Policy"] = "same-origin";
        headers["Cross-Origin-Resource-Policy"] = "same-origin";
    }
}
