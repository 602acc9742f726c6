using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Evernet.Daemon.Configuration;

public static class EvernetdOptionsServiceCollectionExtensions
{
    /// <summary>
    /// Registers IOptions&lt;EvernetdOptions&gt; bound from <paramref name="evernetConfiguration"/> (from
    /// <see cref="EvernetdConfiguration.Build"/>, not the host's configuration) and validated when the host starts.
    /// </summary>
    public static IServiceCollection AddEvernetdOptions(this IServiceCollection services, IConfiguration evernetConfiguration)
    {
        services.AddSingleton<IValidateOptions<EvernetdOptions>, EvernetdOptionsValidator>();
        services.AddOptions<EvernetdOptions>()
            .Configure(options =>
            {
                evernetConfiguration.Bind(options, binder => binder.ErrorOnUnknownConfiguration = true);
                options.NormalizeOptionalValues();
            })
            .ValidateOnStart();
        return services;
    }
}
