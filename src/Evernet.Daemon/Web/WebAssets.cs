using System.Resources;
using System.Security.Cryptography;
using System.Text;

namespace Evernet.Daemon.Web;

/// <summary>One static file of the interface, ready to send.</summary>
public sealed record WebAsset(string Path, string ContentType, byte[] Content, string ETag);

/// <summary>
/// The page, its script and its style, compiled into evernetd (WebAssetFiles.resx refers to the files under Assets/; the SDK embeds
/// every .resx by default). No CDN, no build step: plain files that a browser runs as they are.
/// </summary>
public static class WebAssets
{
    private static readonly (string Path, string Resource, string ContentType)[] Files =
    [
        ("/", "index.html", "text/html; charset=utf-8"),
        ("/app.js", "app.js", "text/javascript; charset=utf-8"),
        ("/app.css", "app.css", "text/css; charset=utf-8"),
        ("/favicon.svg", "favicon.svg", "image/svg+xml"),
    ];

    public static IReadOnlyDictionary<string, WebAsset> Load()
    {
        var resources = new ResourceManager("Evernet.Daemon.Web.WebAssetFiles", typeof(WebAssets).Assembly);
        var assets = new Dictionary<string, WebAsset>(StringComparer.Ordinal);
        foreach (var (path, resource, contentType) in Files)
        {
            string text = resources.GetString(resource, System.Globalization.CultureInfo.InvariantCulture)
                ?? throw new InvalidOperationException($"web asset '{resource}' is missing from the evernetd build");
            byte[] content = Encoding.UTF8.GetBytes(text);
            string etag = "\"" + Convert.ToHexString(SHA256.HashData(content), 0, 12).ToLowerInvariant() + "\"";
            assets[path] = new WebAsset(path, contentType, content, etag);
        }
        return assets;
    }
}
