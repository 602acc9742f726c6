using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Evernet.Control.Dtos;
using Evernet.Control.Protocol;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Logging;

namespace Evernet.Daemon.Web;

/// <summary>
/// Every URL of the web interface (docs/web.md). Read-only GETs are open to whoever reaches the admin address; the POSTs under
/// /api/actions/ need a session (login), the session's CSRF token in X-CSRF-Token, and a same-origin request.
/// </summary>
public sealed class WebAdminEndpoints
{
    public const string SessionCookie = "evernet_session";
    public const string CsrfHeader = "X-CSRF-Token";

    private readonly ControlCalls _calls;
    private readonly GatewayHistory _history;
    private readonly LiveFeed _live;
    private readonly SessionStore _sessions;
    private readonly LoginThrottle _throttle;
    private readonly RequestGuard _guard;
    private readonly AdminPasswordHash? _password;
    private readonly WebAdminOptions _options;
    private readonly IReadOnlyDictionary<string, WebAsset> _assets;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    // PBKDF2 is deliberately slow: one check at a time keeps a login flood from taking every core of a router.
    private readonly SemaphoreSlim _verifyGate = new(1, 1);

    public WebAdminEndpoints(
        WebAdminOptions options, ControlCalls calls, GatewayHistory history, LiveFeed live, SessionStore sessions, LoginThrottle throttle,
        AdminPasswordHash? password, TimeProvider time, ILogger logger)
    {
        _options = options;
        _calls = calls;
        _history = history;
        _live = live;
        _sessions = sessions;
        _throttle = throttle;
        _password = password;
        _time = time;
        _logger = logger;
        _guard = new RequestGuard(options.AllowedHostNames);
        _assets = WebAssets.Load();
    }

    public async Task HandleAsync(HttpContext context)
    {
        var request = context.Request;
        var response = context.Response;
        RequestGuard.AddSecurityHeaders(response);
        if (!_guard.IsAllowedHost(request.Host))
        {
            WebAdminLog.HostRefused(_logger, request.Host.Value ?? "", context.Connection.RemoteIpAddress);
            await Error(context, StatusCodes.Status421MisdirectedRequest, "host_not_allowed",
                "this interface answers only to IP addresses, localhost, and the names in web.allowed_host_names").ConfigureAwait(false);
            return;
        }
        string path = request.Path.Value ?? "/";
        if (path.StartsWith("/api/", StringComparison.Ordinal)) response.Headers.CacheControl = "no-store";
        try
        {
            await Dispatch(context, path).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
        }
        catch (BadHttpRequestException ex)
        {
            if (!response.HasStarted) await Error(context, ex.StatusCode, "bad_request", ex.Message).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            WebAdminLog.RequestFailed(_logger, path, ex);
            if (!response.HasStarted) await Error(context, StatusCodes.Status500InternalServerError, "internal_error", "internal error in the web interface").ConfigureAwait(false);
        }
    }

    private Task Dispatch(HttpContext context, string path)
    {
        string method = context.Request.Method;
        bool get = HttpMethods.IsGet(method);
        bool post = HttpMethods.IsPost(method);
        var ct = context.RequestAborted;
        return path switch
        {
            "/api/status" when get => Query(context, "status", (h, c) => h.GetStatusAsync(c), ControlJsonContext.Default.StatusData),
            "/api/members" when get => Query(context, "members", (h, c) => h.GetMembersAsync(c), ControlJsonContext.Default.MembersData),
            "/api/gateways" when get => Query(context, "gateways", (h, c) => h.GetGatewaysAsync(c), ControlJsonContext.Default.GatewaysData),
            "/api/routes" when get => Query(context, "routes", (h, c) => h.GetRoutesAsync(c), ControlJsonContext.Default.RoutesData),
            "/api/events" when get => Events(context),
            "/api/metrics" when get => Metrics(context),
            "/api/history" when get => Json(context, StatusCodes.Status200OK, _history.Snapshot(), WebJsonContext.Default.GatewayHistoryData),
            "/api/snapshot" when get => Snapshot(context),
            "/api/live" when get => Live(context),
            "/api/session" when get => Session(context),
            "/api/login" when post => Login(context),
            "/api/logout" when post => Logout(context),
            "/api/actions/drain" when post => Action(context, "drain", () => Drain(context, true, ct)),
            "/api/actions/undrain" when post => Action(context, "undrain", () => Drain(context, false, ct)),
            "/api/actions/diagnostics" when post => Action(context, "diagnostics", () => Diagnostics(context, ct)),
            _ when get && _assets.TryGetValue(path == "/index.html" ? "/" : path, out var asset) => Asset(context, asset),
            _ when IsKnown(path) => MethodNotAllowed(context, path),
            _ => Error(context, StatusCodes.Status404NotFound, "not_found", $"no such page: {path}"),
        };
    }

    private static readonly HashSet<string> PostPaths = new(StringComparer.Ordinal)
    {
        "/api/login", "/api/logout", "/api/actions/drain", "/api/actions/undrain", "/api/actions/diagnostics",
    };

    private static readonly HashSet<string> GetPaths = new(StringComparer.Ordinal)
    {
        "/api/status", "/api/members", "/api/gateways", "/api/routes", "/api/events", "/api/metrics", "/api/history",
        "/api/snapshot", "/api/live", "/api/session", "/", "/index.html", "/app.js", "/app.css", "/favicon.svg",
    };

    private static bool IsKnown(string path) => PostPaths.Contains(path) || GetPaths.Contains(path);

    private static Task MethodNotAllowed(HttpContext context, string path)
    {
        context.Response.Headers.Allow = PostPaths.Contains(path) ? "POST" : "GET";
        return Error(context, StatusCodes.Status405MethodNotAllowed, "method_not_allowed", $"{context.Request.Method} is not allowed on {path}");
    }

    // ---- read-only views -------------------------------------------------------------------------------------------

    private async Task Query<T>(HttpContext context, string name, Func<Evernet.Control.Server.IControlHandler, CancellationToken, ValueTask<T>> call, JsonTypeInfo<T> type)
        where T : class
    {
        var result = await _calls.CallAsync(name, call, context.RequestAborted).ConfigureAwait(false);
        if (result.Value is { } value) await Json(context, StatusCodes.Status200OK, value, type).ConfigureAwait(false);
        else await CallError(context, result).ConfigureAwait(false);
    }

    private Task Events(HttpContext context)
    {
        var query = context.Request.Query;
        int? limit = null;
        long? since = null;
        if (query.TryGetValue("limit", out var limitText))
        {
            if (!int.TryParse(limitText, NumberStyles.None, CultureInfo.InvariantCulture, out int l) || l > DiagnosticsBundle.EventLimit)
                return Error(context, StatusCodes.Status400BadRequest, ControlErrorCodes.InvalidArguments, $"limit must be a number from 0 to {DiagnosticsBundle.EventLimit}");
            limit = l;
        }
        if (query.TryGetValue("since", out var sinceText))
        {
            if (!long.TryParse(sinceText, NumberStyles.None, CultureInfo.InvariantCulture, out long s))
                return Error(context, StatusCodes.Status400BadRequest, ControlErrorCodes.InvalidArguments, "since must be a Unix time in milliseconds");
            since = s;
        }
        var args = new EventsArgs(limit, since);
        return Query(context, "events", (h, c) => h.GetEventsAsync(args, c), ControlJsonContext.Default.EventsData);
    }

    private async Task Metrics(HttpContext context)
    {
        var result = await _calls.CallAsync<MetricsData>("metrics", (h, c) => h.GetMetricsAsync(c), context.RequestAborted).ConfigureAwait(false);
        if (result.Value is not { } metrics)
        {
            await CallError(context, result).ConfigureAwait(false);
            return;
        }
        context.Response.ContentType = "text/plain; version=0.0.4; charset=utf-8";
        await context.Response.WriteAsync(metrics.Text, context.RequestAborted).ConfigureAwait(false);
    }

    private async Task Snapshot(HttpContext context)
    {
        var snapshot = await _live.BuildAsync(context.RequestAborted).ConfigureAwait(false);
        await Json(context, StatusCodes.Status200OK, snapshot, WebJsonContext.Default.LiveSnapshot).ConfigureAwait(false);
    }

    /// <summary>Server-sent events: "snapshot" events with a <see cref="LiveSnapshot"/> until the page goes away or the server stops.</summary>
    private async Task Live(HttpContext context)
    {
        using var listener = _live.Listen();
        if (listener is null)
        {
            context.Response.Headers.RetryAfter = "10";
            await Error(context, StatusCodes.Status503ServiceUnavailable, ControlErrorCodes.Busy,
                $"{_options.MaxLiveClients} pages are already listening; this one falls back to polling").ConfigureAwait(false);
            return;
        }
        var response = context.Response;
        var ct = context.RequestAborted;
        context.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();
        response.ContentType = "text/event-stream; charset=utf-8";
        response.Headers.CacheControl = "no-store";
        response.Headers["X-Accel-Buffering"] = "no";
        await response.WriteAsync("retry: 3000\n\n", ct).ConfigureAwait(false);
        await response.Body.FlushAsync(ct).ConfigureAwait(false);
        byte[] prefix = "event: snapshot\ndata: "u8.ToArray();
        byte[] suffix = "\n\n"u8.ToArray();
        await foreach (byte[] payload in listener.Reader.ReadAllAsync(ct).ConfigureAwait(false))
        {
            await response.Body.WriteAsync(prefix, ct).ConfigureAwait(false);
            await response.Body.WriteAsync(payload, ct).ConfigureAwait(false);
            await response.Body.WriteAsync(suffix, ct).ConfigureAwait(false);
            await response.Body.FlushAsync(ct).ConfigureAwait(false);
        }
    }

    private static async Task Asset(HttpContext context, WebAsset asset)
    {
        var response = context.Response;
        response.Headers.ETag = asset.ETag;
        response.Headers.CacheControl = "no-cache";
        if (context.Request.Headers.IfNoneMatch == asset.ETag)
        {
            response.StatusCode = StatusCodes.Status304NotModified;
            return;
        }
        response.ContentType = asset.ContentType;
        response.ContentLength = asset.Content.Length;
        await response.Body.WriteAsync(asset.Content, context.RequestAborted).ConfigureAwait(false);
    }

    // ---- sessions ----------------------------------------------------------------------------------------------------

    private Task Session(HttpContext context)
    {
        // Reading the session state does not count as activity: an open page must not keep a session alive forever.
        var session = _sessions.Peek(context.Request.Cookies[SessionCookie]);
        return Json(context, StatusCodes.Status200OK, Info(session), WebJsonContext.Default.SessionInfo);
    }

    private SessionInfo Info(AdminSession? session) => new(
        session is not null,
        _password is not null,
        session?.CsrfToken,
        session is null ? null : _sessions.ExpiresAt(session).ToUnixTimeMilliseconds(),
        _options.SessionIdleTimeout.TotalSeconds);

    private async Task Login(HttpContext context)
    {
        var client = context.Connection.RemoteIpAddress;
        if (_password is null)
        {
            await Error(context, StatusCodes.Status403Forbidden, "actions_disabled", "no admin password is configured (web.password_hash): actions are disabled").ConfigureAwait(false);
            return;
        }
        if (!RequestGuard.IsSameOrigin(context.Request))
        {
            await Error(context, StatusCodes.Status403Forbidden, "cross_origin", "login from another site refused").ConfigureAwait(false);
            return;
        }
        // Only a JSON body: a cross-site HTML form cannot send one without a CORS preflight, which this server never grants.
        if (!context.Request.HasJsonContentType())
        {
            await Error(context, StatusCodes.Status415UnsupportedMediaType, "bad_request", "send the password as JSON: {\"password\": \"...\"}").ConfigureAwait(false);
            return;
        }
        if (!_throttle.TryBegin(client, out var retryAfter))
        {
            int seconds = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds));
            WebAdminLog.LoginThrottled(_logger, client, seconds);
            context.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
            await Error(context, StatusCodes.Status429TooManyRequests, "too_many_attempts", $"too many login attempts: try again in {seconds} s").ConfigureAwait(false);
            return;
        }
        LoginRequest? login;
        try
        {
            login = await context.Request.ReadFromJsonAsync(WebJsonContext.Default.LoginRequest, context.RequestAborted).ConfigureAwait(false);
        }
        catch (JsonException)
        {
            login = null;
        }
        if (login is null || string.IsNullOrEmpty(login.Password))
        {
            await Error(context, StatusCodes.Status400BadRequest, "bad_request", "send the password as JSON: {\"password\": \"...\"}").ConfigureAwait(false);
            return;
        }
        bool correct;
        await _verifyGate.WaitAsync(context.RequestAborted).ConfigureAwait(false);
        try
        {
            correct = await Task.Run(() => AdminPassword.Verify(login.Password, _password), context.RequestAborted).ConfigureAwait(false);
        }
        finally
        {
            _verifyGate.Release();
        }
        if (!correct)
        {
            WebAdminLog.LoginFailed(_logger, client);
            await Error(context, StatusCodes.Status401Unauthorized, "wrong_password", "wrong password").ConfigureAwait(false);
            return;
        }
        _throttle.Succeeded(client);
        _sessions.Remove(context.Request.Cookies[SessionCookie]);
        var (token, session) = _sessions.Create(client?.ToString() ?? "unknown");
        context.Response.Cookies.Append(SessionCookie, token, new CookieOptions
        {
            HttpOnly = true,
            SameSite = SameSiteMode.Strict,
            Secure = context.Request.IsHttps,
            Path = "/",
            IsEssential = true,
        });
        WebAdminLog.LoginSucceeded(_logger, client);
        await Json(context, StatusCodes.Status200OK, Info(session), WebJsonContext.Default.SessionInfo).ConfigureAwait(false);
    }

    private async Task Logout(HttpContext context)
    {
        string? token = context.Request.Cookies[SessionCookie];
        var session = _sessions.Peek(token);
        // Logging out someone else's session from another site would be a (small) attack: same rules as an action.
        if (session is not null && (!RequestGuard.IsSameOrigin(context.Request) || !HasCsrfToken(context, session)))
        {
            await Error(context, StatusCodes.Status403Forbidden, "csrf_failed", "missing or wrong X-CSRF-Token").ConfigureAwait(false);
            return;
        }
        _sessions.Remove(token);
        ClearCookie(context);
        await Json(context, StatusCodes.Status200OK, Info(null), WebJsonContext.Default.SessionInfo).ConfigureAwait(false);
    }

    // ---- actions -----------------------------------------------------------------------------------------------------

    private async Task Action(HttpContext context, string name, Func<Task<string>> run)
    {
        if (_password is null)
        {
            await Error(context, StatusCodes.Status403Forbidden, "actions_disabled", "no admin password is configured (web.password_hash): actions are disabled").ConfigureAwait(false);
            return;
        }
        if (!RequestGuard.IsSameOrigin(context.Request))
        {
            await Error(context, StatusCodes.Status403Forbidden, "cross_origin", "request from another site refused").ConfigureAwait(false);
            return;
        }
        var session = _sessions.Touch(context.Request.Cookies[SessionCookie]);
        if (session is null)
        {
            if (context.Request.Cookies.ContainsKey(SessionCookie)) ClearCookie(context);
            await Error(context, StatusCodes.Status401Unauthorized, "login_required", "log in first (the session may have expired)").ConfigureAwait(false);
            return;
        }
        if (!HasCsrfToken(context, session))
        {
            await Error(context, StatusCodes.Status403Forbidden, "csrf_failed", $"missing or wrong {CsrfHeader} header").ConfigureAwait(false);
            return;
        }
        string outcome = await run().ConfigureAwait(false);
        WebAdminLog.Action(_logger, name, session.Client, outcome);
    }

    private async Task<string> Drain(HttpContext context, bool draining, CancellationToken ct)
    {
        string name = draining ? "drain" : "undrain";
        var result = await _calls.CallAsync<DrainData>(name, (h, c) => h.SetDrainingAsync(draining, c), ct).ConfigureAwait(false);
        if (result.Value is not { } data)
        {
            await CallError(context, result).ConfigureAwait(false);
            return "refused: " + result.Error;
        }
        await Json(context, StatusCodes.Status200OK, data, WebJsonContext.Default.DrainData).ConfigureAwait(false);
        return data.Draining ? "draining" : "not draining";
    }

    private async Task<string> Diagnostics(HttpContext context, CancellationToken ct)
    {
        var bundle = await DiagnosticsBundle.BuildAsync(_calls, _history, _time, ct).ConfigureAwait(false);
        var response = context.Response;
        response.ContentType = "application/gzip";
        response.ContentLength = bundle.Content.Length;
        response.Headers.ContentDisposition = $"attachment; filename=\"{bundle.FileName}\"";
        await response.Body.WriteAsync(bundle.Content, ct).ConfigureAwait(false);
        return $"{bundle.FileName}, {bundle.Content.Length} bytes";
    }

    private static bool HasCsrfToken(HttpContext context, AdminSession session)
    {
        string? sent = context.Request.Headers[CsrfHeader];
        return !string.IsNullOrEmpty(sent)
            && CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(sent), Encoding.UTF8.GetBytes(session.CsrfToken));
    }

    private static void ClearCookie(HttpContext context) =>
        context.Response.Cookies.Delete(SessionCookie, new CookieOptions { HttpOnly = true, SameSite = SameSiteMode.Strict, Path = "/" });

    // ---- answers -----------------------------------------------------------------------------------------------------

    private static Task CallError<T>(HttpContext context, CallResult<T> result) where T : class
    {
        int status = result.ErrorCode switch
        {
            ControlErrorCodes.Timeout => StatusCodes.Status504GatewayTimeout,
            ControlErrorCodes.NotApplicable or ControlErrorCodes.Refused => StatusCodes.Status409Conflict,
            ControlErrorCodes.Busy => StatusCodes.Status503ServiceUnavailable,
            ControlErrorCodes.InvalidArguments => StatusCodes.Status400BadRequest,
            _ => StatusCodes.Status502BadGateway,
        };
        return Error(context, status, result.ErrorCode ?? ControlErrorCodes.InternalError, result.Error ?? "the daemon gave no answer");
    }

    private static Task Error(HttpContext context, int status, string code, string message) =>
        Json(context, status, new WebError(code, message), WebJsonContext.Default.WebError);

    private static Task Json<T>(HttpContext context, int status, T value, JsonTypeInfo<T> type)
    {
        context.Response.StatusCode = status;
        return context.Response.WriteAsJsonAsync(value, type, "application/json; charset=utf-8", context.RequestAborted);
    }
}
