global using Switchboard.Testing;
global using Xunit;
