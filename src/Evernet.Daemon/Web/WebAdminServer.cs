using System.Net;
using Evernet.Control.Server;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Evernet.Daemon.Web;

/// <summary>
/// The web admin interface of evernetd (docs/web.md): Kestrel on one admin address, serving the embedded page, the same JSON
/// as evernetctl --json (from the daemon's <see cref="IControlHandler"/>), a live feed (server-sent events), the gateway
/// history, and the logged-in actions drain, undrain and diagnostics bundle.
/// Does nothing unless <see cref="WebAdminOptions.Enabled"/>.
/// </summary>
public sealed class WebAdminServer : IAsyncDisposable
{
    private const int MaxRequestBodyBytes = 16 * 1024;

    private readonly WebAdminOptions _options;
    private readonly IPEndPoint _listen;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly ControlCalls _calls;
    private readonly LiveFeed _live;
    private readonly WebAdminEndpoints _endpoints;
    private readonly GatewaySampler _sampler;
    private readonly CancellationTokenSource _stopping = new();
    private WebApplication? _app;
    private Task _background = Task.CompletedTask;
    private int _state; // 0 new, 1 started, 2 stopped

    /// <param name="time">The clock of sessions and login throttling (tests move it); the system clock by default.</param>
    /// <exception cref="ArgumentException">The options are invalid; the message lists every problem.</exception>
    public WebAdminServer(WebAdminOptions options, IControlHandler handler, ILogger logger, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(handler);
        ArgumentNullException.ThrowIfNull(logger);
        var errors = options.Validate();
        if (errors.Count > 0) throw new ArgumentException("invalid web admin settings: " + string.Join("; ", errors), nameof(options));
        WebAdminOptions.TryParseListen(options.Listen, out _listen, out _);
        AdminPasswordHash? password = null;
        if (options.PasswordHash is not null && AdminPassword.TryParse(options.PasswordHash, out var parsed, out _)) password = parsed;

        _options = options;
        _logger = logger;
        _time = time ?? TimeProvider.System;
        _calls = new ControlCalls(handler, options.HandlerTimeout, logger);
        History = new GatewayHistory(options.SampleInterval, options.HistoryWindow);
        _live = new LiveFeed(_calls, History, options.LiveInterval, options.MaxLiveClients, logger);
        _sampler = new GatewaySampler(_calls, History, options.SampleInterval, _time, logger);
        Sessions = new SessionStore(options.SessionIdleTimeout, options.SessionLifetime, options.MaxSessions, _time);
        var throttle = new LoginThrottle(options.LoginAttemptsPerClient, options.LoginAttemptsTotal, options.LoginWindow, _time);
        _endpoints = new WebAdminEndpoints(options, _calls, History, _live, Sessions, throttle, password, _time, logger);
    }

    /// <summary>Where the server listens once started (the real port when <see cref="WebAdminOptions.Listen"/> gave port 0).</summary>
    public IPEndPoint? LocalEndpoint { get; private set; }

    /// <summary>"http://address:port/" once started.</summary>
    public Uri? BaseAddress => LocalEndpoint is { } ep ? new Uri($"http://{ep}/") : null;

    public GatewayHistory History { get; }

    public SessionStore Sessions { get; }

    public bool ActionsEnabled => _options.PasswordHash is not null;

    /// <summary>How many pages are listening to the live feed right now.</summary>
    public int LiveListeners => _live.ListenerCount;

    /// <summary>Starts listening and sampling. Returns at once (and does nothing) when the interface is disabled.</summary>
    /// <exception cref="InvalidOperationException">The address cannot be bound (in use, not local, no permission).</exception>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (Interlocked.CompareExchange(ref _state, 1, 0) != 0) throw new InvalidOperationException("the web admin server was already started");
        if (!_options.Enabled)
        {
            WebAdminLog.Disabled(_logger);
            return;
        }
        var app = Build();
        try
        {
            await app.StartAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or System.Net.Sockets.SocketException)
        {
            await app.DisposeAsync().ConfigureAwait(false);
            throw new InvalidOperationException($"the web admin interface cannot listen on {_options.Listen}: {ex.Message}", ex);
        }
        _app = app;
        LocalEndpoint = BoundEndpoint(app);
        _background = Task.WhenAll(
            Task.Run(() => _sampler.RunAsync(_stopping.Token), CancellationToken.None),
            Task.Run(() => _live.RunAsync(_stopping.Token), CancellationToken.None));
        WebAdminLog.Listening(_logger, LocalEndpoint.ToString(), ActionsEnabled ? "enabled" : "disabled: no password hash configured");
    }

    /// <summary>Ends the live streams, stops sampling and closes the listener. Safe to call more than once.</summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (Interlocked.Exchange(ref _state, 2) != 1) return;
        await _stopping.CancelAsync().ConfigureAwait(false);
        _live.Close();
        if (_app is { } app)
        {
            await app.StopAsync(cancellationToken).ConfigureAwait(false);
            await app.DisposeAsync().ConfigureAwait(false);
        }
        await _background.ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync(CancellationToken.None).ConfigureAwait(false);
        _stopping.Dispose();
    }

    private WebApplication Build()
    {
        // The empty builder reads no appsettings.json and no ASPNETCORE_* variables: evernetd's config alone decides.
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions { ApplicationName = "evernetd-web" });
        // evernetd's own host owns SIGTERM/SIGINT; this inner host must not register for them.
        builder.Services.AddSingleton<IHostLifetime, NoSignalLifetime>();
        builder.WebHost.UseKestrelCore().ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Limits.MaxRequestBodySize = MaxRequestBodyBytes;
            kestrel.Limits.MaxRequestHeadersTotalSize = 16 * 1024;
            kestrel.Limits.MaxRequestLineSize = 4 * 1024;
            kestrel.Limits.RequestHeadersTimeout = TimeSpan.FromSeconds(10);
            kestrel.Limits.KeepAliveTimeout = TimeSpan.FromMinutes(1);
            kestrel.Limits.MaxConcurrentConnections = _options.MaxLiveClients + 32;
            kestrel.Listen(_listen, listen => listen.Protocols = HttpProtocols.Http1);
        });
        var app = builder.Build();
        app.Run(_endpoints.HandleAsync);
        return app;
    }

    private IPEndPoint BoundEndpoint(WebApplication app)
    {
        var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses;
        foreach (string address in addresses ?? [])
        {
            if (Uri.TryCreate(address, UriKind.Absolute, out var uri) && IPAddress.TryParse(uri.Host.Trim('[', ']'), out var ip))
                return new IPEndPoint(ip, uri.Port);
        }
        return _listen;
    }

    private sealed class NoSignalLifetime : IHostLifetime
    {
        public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;
        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
