using Switchboard.Cli.Commands;

return await SwitchboardCommandLine.RunAsync(args);
