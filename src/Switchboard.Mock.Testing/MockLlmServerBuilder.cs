using Microsoft.Extensions.Logging;
using Switchboard.Mock.Fixtures;
using Switchboard.Mock.Loading;
using Switchboard.Mock.Server;

namespace Switchboard.Mock.Testing;

/// <summary>Configures a <see cref="MockLlmServer"/>: fixtures from code, YAML text or files, strictness, watching, logging.</summary>
public sealed class MockLlmServerBuilder
{
    private readonly List<Fixture> _fixtures = [];

    internal MockServerOptions Options { get; private set; } = new() { Port = 0 };

    internal Action<ILoggingBuilder>? Logging { get; private set; }

    public MockLlmServerBuilder AddFixture(Fixture fixture)
    {
        ArgumentNullException.ThrowIfNull(fixture);
        _fixtures.Add(fixture);
        return this;
    }

    public MockLlmServerBuilder AddFixture(string name, Action<FixtureBuilder> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        var builder = new FixtureBuilder(name);
        configure(builder);
        return AddFixture(builder.Build());
    }

    /// <summary>Adds fixtures written in the YAML (or JSON) fixture format; a mistake throws <see cref="FixtureLoadException"/> with its line.</summary>
    public MockLlmServerBuilder AddYaml(string yaml)
    {
        _fixtures.AddRange(FixtureLoader.Parse(yaml, "code"));
        return this;
    }

    /// <summary>Serves the fixtures of a file or folder; the first path given can also be watched (<see cref="Watch"/>).</summary>
    public MockLlmServerBuilder AddFixturesFrom(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        if (Options.FixturesPath is null)
        {
            Options = Options with { FixturesPath = path };
        }
        else
        {
            _fixtures.AddRange(FixtureLoader.LoadAll(path).Values.SelectMany(f => f));
        }

        return this;
    }

    public MockLlmServerBuilder Strict(bool strict = true)
    {
        Options = Options with { Strict = strict };
        return this;
    }

    public MockLlmServerBuilder Watch(bool watch = true)
    {
        Options = Options with { Watch = watch };
        return this;
    }

    public MockLlmServerBuilder UseTimeProvider(TimeProvider time)
    {
        Options = Options with { TimeProvider = time };
        return this;
    }

    /// <summary>Any other setting (record mode, port, journal size).</summary>
    public MockLlmServerBuilder Configure(Func<MockServerOptions, MockServerOptions> change)
    {
        ArgumentNullException.ThrowIfNull(change);
        Options = change(Options);
        return this;
    }

    /// <summary>Where the server logs; nowhere by default, to keep test output quiet.</summary>
    public MockLlmServerBuilder WithLogging(Action<ILoggingBuilder> configure)
    {
        Logging = configure;
        return this;
    }

    internal MockServerOptions Build() => Options with { Fixtures = [.. Options.Fixtures, .. _fixtures] };
}
