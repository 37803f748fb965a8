using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Switchboard.Conversations.Configuration;
using Switchboard.Conversations.Http;
using Switchboard.Conversations.Service;
using Switchboard.Conversations.Storage;
using Switchboard.Gateway;
using Switchboard.Tokens;

namespace Switchboard.Conversations;

/// <summary>The conversations service as a part of <c>switchboard serve</c>: the <c>conversations:</c> section, its services and endpoints.</summary>
public sealed class ConversationsFeature : IGatewayFeature
{
    /// <summary>The one instance hosts add.</summary>
    public static ConversationsFeature Instance { get; } = new();

    /// <inheritdoc />
    public string SectionName => ConversationsOptions.SectionName;

    /// <inheritdoc />
    public Type OptionsType => typeof(ConversationsOptions);

    /// <inheritdoc />
    public void AddServices(IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<ConversationsOptions>()
            .Bind(configuration.GetSection(ConversationsOptions.SectionName))
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<ConversationsOptions>, ConversationsOptionsValidator>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<ConversationsOptions>, ConversationModelValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<ITokenCounter>(TiktokenTokenCounter.Instance);
        services.TryAddSingleton(_ => ConversationDatabase.FromConfiguration(configuration));
        services.TryAddSingleton<ConversationStore>();
        services.TryAddSingleton<ConversationCache>();
        services.TryAddSingleton(sp =>
        {
            var database = sp.GetRequiredService<ConversationDatabase>();
            var options = sp.GetRequiredService<IOptions<ConversationsOptions>>().Value;
            return new ConversationLocks(database.IsPostgres ? database.Connection : null, options.QueueLimit, options.QueueTimeout, sp.GetRequiredService<TimeProvider>());
        });
        services.TryAddSingleton<ConversationService>();
        if (configuration.GetValue(ConversationsOptions.SectionName + ":enabled", true))
        {
            services.AddHostedService<ConversationsMigrator>();
            services.AddHostedService<IdleConversationSweeper>();
        }
    }

    /// <inheritdoc />
    public void Validate(IServiceProvider services)
    {
        ArgumentNullException.ThrowIfNull(services);
        _ = services.GetRequiredService<IOptions<ConversationsOptions>>().Value;
    }

    /// <inheritdoc />
    public void MapEndpoints(IEndpointRouteBuilder endpoints) => ConversationEndpoints.Map(endpoints);
}
