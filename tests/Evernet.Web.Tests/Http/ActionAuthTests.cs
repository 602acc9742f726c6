using System.Formats.Tar;
using System.IO.Compression;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Evernet.Daemon.Web;
using Evernet.Web.Tests.Support;

namespace Evernet.Web.Tests.Http;

/// <summary>Login, sessions, CSRF and the actions, over real HTTP.</summary>
public sealed class ActionAuthTests
{
    private static readonly CancellationToken Ct = CancellationToken.None;

    [Theory]
    [InlineData("api/actions/drain")]
    [InlineData("api/actions/undrain")]
    [InlineData("api/actions/diagnostics")]
    public async Task Actions_without_login_are_refused(string path)
    {
        await using var web = await WebTestServer.StartAsync();
        using var client = web.Client();
        using var response = await client.PostAsync(path, null, Ct);
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("login_required", await ErrorCode(response));
        Assert.False(web.Mesh.Draining);
    }

    [Fact]
    public async Task Login_sets_a_strict_http_only_session_cookie_and_actions_then_work()
    {
        await using var web = await WebTestServer.StartAsync();
        using var client = web.Client();
        using var login = await Login(client, WebTestServer.Password);
        Assert.Equal(HttpStatusCode.OK, login.StatusCode);
        string cookie = login.Headers.GetValues("Set-Cookie").Single();
        Assert.StartsWith(WebAdminEndpoints.SessionCookie + "=", cookie, StringComparison.Ordinal);
        Assert.Contains("httponly", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("samesite=strict", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("path=/", cookie, StringComparison.OrdinalIgnoreCase);
        var session = JsonNode.Parse(await login.Content.ReadAsStringAsync(Ct))!;
        Assert.True((bool)session["authenticated"]!);
        string csrf = (string)session["csrf_token"]!;

        using var drain = await Post(client, "api/actions/drain", csrf);
        Assert.Equal(HttpStatusCode.OK, drain.StatusCode);
        Assert.True((bool)JsonNode.Parse(await drain.Content.ReadAsStringAsync(Ct))!["draining"]!);
        Assert.True(web.Mesh.Draining);

        using var undrain = await Post(client, "api/actions/undrain", csrf);
        Assert.Equal(HttpStatusCode.OK, undrain.StatusCode);
        Assert.False(web.Mesh.Draining);

        var status = await ReadOnlyApiTests.Get(client, "api/session");
        Assert.True((bool)status["authenticated"]!);
        Assert.Equal(csrf, (string?)status["csrf_token"]);
    }

    [Fact]
    public async Task Actions_need_the_sessions_csrf_token()
    {
        await using var web = await WebTestServer.StartAsync();
        using var client = web.Client();
        (await Login(client, WebTestServer.Password)).Dispose();
        using var missing = await Post(client, "api/actions/drain", null);
        Assert.Equal(HttpStatusCode.Forbidden, missing.StatusCode);
        Assert.Equal("csrf_failed", await ErrorCode(missing));
        using var wrong = await Post(client, "api/actions/drain", "not-the-token");
        Assert.Equal(HttpStatusCode.Forbidden, wrong.StatusCode);

        // Another session's token is no good either.
        using var other = web.Client();
        using var otherLogin = await Login(other, WebTestServer.Password);
        string otherToken = (string)JsonNode.Parse(await otherLogin.Content.ReadAsStringAsync(Ct))!["csrf_token"]!;
        using var crossed = await Post(client, "api/actions/drain", otherToken);
        Assert.Equal(HttpStatusCode.Forbidden, crossed.StatusCode);
        Assert.False(web.Mesh.Draining);
    }

    [Theory]
    [InlineData("Origin", "http://evil.example")]
    [InlineData("Origin", "null")]
    [InlineData("Sec-Fetch-Site", "cross-site")]
    [InlineData("Sec-Fetch-Site", "same-site")]
    public async Task Cross_site_requests_are_refused_even_with_session_and_token(string header, string value)
    {
        await using var web = await WebTestServer.StartAsync();
        using var client = web.Client();
        string csrf = await LoginToken(client);
        using var request = new HttpRequestMessage(HttpMethod.Post, "api/actions/drain");
        request.Headers.Add(WebAdminEndpoints.CsrfHeader, csrf);
        request.Headers.TryAddWithoutValidation(header, value);
        using var response = await client.SendAsync(request, Ct);
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal("cross_origin", await ErrorCode(response));
        Assert.False(web.Mesh.Draining);
    }

    [Fact]
    public async Task A_same_origin_browser_request_passes()
    {
        await using var web = await WebTestServer.StartAsync();
        using var client = web.Client();
        string csrf = await LoginToken(client);
        using var request = new HttpRequestMessage(HttpMethod.Post, "api/actions/drain");
        request.Headers.Add(WebAdminEndpoints.CsrfHeader, csrf);
        request.Headers.Add("Origin", web.BaseAddress.GetLeftPart(UriPartial.Authority));
        request.Headers.Add("Sec-Fetch-Site", "same-origin");
        using var response = await client.SendAsync(request, Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Wrong_passwords_are_refused_then_throttled()
    {
        await using var web = await WebTestServer.StartAsync(o => o.LoginAttemptsPerClient = 3);
        using var client = web.Client();
        for (int i = 0; i < 3; i++)
        {
            using var wrong = await Login(client, "guess" + i);
            Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
            Assert.Equal("wrong_password", await ErrorCode(wrong));
            Assert.False(wrong.Headers.Contains("Set-Cookie"));
        }
        using var throttled = await Login(client, WebTestServer.Password);
        Assert.Equal((HttpStatusCode)429, throttled.StatusCode);
        Assert.Equal("60", throttled.Headers.GetValues("Retry-After").Single());

        web.Clock.Advance(TimeSpan.FromMinutes(1));
        using var later = await Login(client, WebTestServer.Password);
        Assert.Equal(HttpStatusCode.OK, later.StatusCode);
    }

    [Fact]
    public async Task Login_takes_only_a_json_body()
    {
        await using var web = await WebTestServer.StartAsync();
        using var client = web.Client();
        using var form = await client.PostAsync("api/login",
            new FormUrlEncodedContent([new KeyValuePair<string, string>("password", WebTestServer.Password)]), Ct);
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, form.StatusCode);
        using var garbage = await client.PostAsync("api/login", new StringContent("{\"password\":", Encoding.UTF8, "application/json"), Ct);
        Assert.Equal(HttpStatusCode.BadRequest, garbage.StatusCode);
        using var huge = await client.PostAsync("api/login", new StringContent($"{{\"password\":\"{new string('a', 20_000)}\"}}", Encoding.UTF8, "application/json"), Ct);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, huge.StatusCode);
    }

    [Fact]
    public async Task Sessions_expire_when_idle()
    {
        await using var web = await WebTestServer.StartAsync();
        using var client = web.Client();
        string csrf = await LoginToken(client);
        web.Clock.Advance(web.Options.SessionIdleTimeout - TimeSpan.FromSeconds(1));
        using (var ok = await Post(client, "api/actions/drain", csrf)) Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        web.Clock.Advance(web.Options.SessionIdleTimeout);
        using var expired = await Post(client, "api/actions/undrain", csrf);
        Assert.Equal(HttpStatusCode.Unauthorized, expired.StatusCode);
        Assert.True(web.Mesh.Draining);
        Assert.False((bool)(await ReadOnlyApiTests.Get(client, "api/session"))["authenticated"]!);
    }

    [Fact]
    public async Task Logout_ends_the_session()
    {
        await using var web = await WebTestServer.StartAsync();
        using var client = web.Client();
        string csrf = await LoginToken(client);
        using (var refused = await Post(client, "api/logout", null)) Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        using (var logout = await Post(client, "api/logout", csrf)) Assert.Equal(HttpStatusCode.OK, logout.StatusCode);
        Assert.Equal(0, web.Server.Sessions.Count);
        using var after = await Post(client, "api/actions/drain", csrf);
        Assert.Equal(HttpStatusCode.Unauthorized, after.StatusCode);
    }

    [Fact]
    public async Task Drain_on_a_node_that_is_no_gateway_is_the_daemons_refusal()
    {
        await using var web = await WebTestServer.StartAsync(selfIsGateway: false);
        using var client = web.Client();
        string csrf = await LoginToken(client);
        using var response = await Post(client, "api/actions/drain", csrf);
        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        var error = JsonNode.Parse(await response.Content.ReadAsStringAsync(Ct))!;
        Assert.Equal("not_applicable", (string?)error["error"]);
        Assert.Contains("not a gateway", (string?)error["message"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_a_password_hash_actions_are_disabled()
    {
        await using var web = await WebTestServer.StartAsync(o => o.PasswordHash = null);
        using var client = web.Client();
        Assert.False((bool)(await ReadOnlyApiTests.Get(client, "api/session"))["actions_enabled"]!);
        using var login = await Login(client, WebTestServer.Password);
        Assert.Equal(HttpStatusCode.Forbidden, login.StatusCode);
        Assert.Equal("actions_disabled", await ErrorCode(login));
        using var drain = await Post(client, "api/actions/drain", "x");
        Assert.Equal("actions_disabled", await ErrorCode(drain));
    }

    [Fact]
    public async Task The_diagnostics_bundle_holds_every_answer_as_json_and_text()
    {
        await using var web = await WebTestServer.StartAsync();
        using var client = web.Client();
        string csrf = await LoginToken(client);
        using var response = await Post(client, "api/actions/diagnostics", csrf);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/gzip", response.Content.Headers.ContentType!.MediaType);
        string fileName = response.Content.Headers.ContentDisposition!.FileName!.Trim('"');
        Assert.Matches(@"^evernet-diagnostics-r17-\d{8}T\d{6}Z\.tar\.gz$", fileName);

        var files = new Dictionary<string, string>();
        await using (var gzip = new GZipStream(await response.Content.ReadAsStreamAsync(Ct), CompressionMode.Decompress))
        await using (var tar = new TarReader(gzip))
        {
            while (await tar.GetNextEntryAsync(cancellationToken: Ct) is { } entry)
            {
                Assert.StartsWith(fileName[..^".tar.gz".Length] + "/", entry.Name, StringComparison.Ordinal);
                using var reader = new StreamReader(entry.DataStream!);
                files[entry.Name[(entry.Name.IndexOf('/') + 1)..]] = await reader.ReadToEndAsync(Ct);
            }
        }
        Assert.Equal(
            ["events.json", "gateway-history.json", "gateways.json", "members.json", "metrics.txt", "routes.json", "status.json", "summary.txt"],
            files.Keys.Order(StringComparer.Ordinal));
        Assert.Equal("r17", (string?)JsonNode.Parse(files["status.json"])!["node"]!["name"]);
        Assert.Equal(3, JsonNode.Parse(files["gateways.json"])!["gateways"]!.AsArray().Count);
        Assert.Contains("evernet_failovers_total 3", files["metrics.txt"], StringComparison.Ordinal);
        Assert.Contains("gw-north", files["summary.txt"], StringComparison.Ordinal);
        Assert.Contains("3 of 3 usable", files["summary.txt"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_failing_command_is_recorded_in_the_bundle_not_fatal()
    {
        await using var web = await WebTestServer.StartAsync();
        using var client = web.Client();
        string csrf = await LoginToken(client);
        web.Mesh.Fail = ("metrics", new InvalidOperationException("exporter gone"));
        using var response = await Post(client, "api/actions/diagnostics", csrf);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var names = new List<string>();
        string errors = "";
        await using (var gzip = new GZipStream(await response.Content.ReadAsStreamAsync(Ct), CompressionMode.Decompress))
        await using (var tar = new TarReader(gzip))
        {
            while (await tar.GetNextEntryAsync(cancellationToken: Ct) is { } entry)
            {
                names.Add(entry.Name[(entry.Name.IndexOf('/') + 1)..]);
                if (entry.Name.EndsWith("/errors.txt", StringComparison.Ordinal)) errors = await new StreamReader(entry.DataStream!).ReadToEndAsync(Ct);
            }
        }
        Assert.DoesNotContain("metrics.txt", names);
        Assert.Contains("status.json", names);
        Assert.Contains("metrics: internal error", errors, StringComparison.Ordinal);
    }

    private static Task<HttpResponseMessage> Login(HttpClient client, string password) =>
        client.PostAsJsonAsync("api/login", new LoginRequest(password), WebJsonContext.Default.LoginRequest, Ct);

    private static async Task<string> LoginToken(HttpClient client)
    {
        using var login = await Login(client, WebTestServer.Password);
        Assert.Equal(HttpStatusCode.OK, login.StatusCode);
        return (string)JsonNode.Parse(await login.Content.ReadAsStringAsync(Ct))!["csrf_token"]!;
    }

    private static Task<HttpResponseMessage> Post(HttpClient client, string path, string? csrf)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path);
        if (csrf is not null) request.Headers.Add(WebAdminEndpoints.CsrfHeader, csrf);
        return client.SendAsync(request, Ct);
    }

    private static async Task<string?> ErrorCode(HttpResponseMessage response) =>
        (string?)JsonNode.Parse(await response.Content.ReadAsStringAsync(Ct))!["error"];
}
