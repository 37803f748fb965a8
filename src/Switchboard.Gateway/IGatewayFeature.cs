using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Switchboard.Gateway;

/// <summary>
/// A part of <c>switchboard serve</c> that lives in its own project on top of the gateway (the conversations
/// service): its configuration section, its services and its endpoints. The host adds each feature it ships;
/// the gateway knows none of them by name, so dependencies keep pointing inward.
/// </summary>
public interface IGatewayFeature
{
    /// <summary>The top-level configuration section the feature reads (<c>conversations</c>).</summary>
    string SectionName { get; }

    /// <summary>The options type bound from <see cref="SectionName"/>, whose properties say which keys exist (for the typo check).</summary>
    Type OptionsType { get; }

    /// <summary>Registers the feature's services; <paramref name="configuration"/> is the whole gateway configuration.</summary>
    void AddServices(IServiceCollection services, IConfiguration configuration);

    /// <summary>
    /// Resolves what must be valid before the server starts (its options), so a bad section stops start-up with a
    /// line naming the key. Throws <see cref="Microsoft.Extensions.Options.OptionsValidationException"/>.
    /// </summary>
    void Validate(IServiceProvider services);

    /// <summary>Maps the feature's HTTP endpoints.</summary>
    void MapEndpoints(IEndpointRouteBuilder endpoints);
}
