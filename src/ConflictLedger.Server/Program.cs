using ConflictLedger.Importing;
using ConflictLedger.Server;
using ConflictLedger.Server.Access;
using ConflictLedger.Server.Cli;

// Verbs: serve (the default), create-api-key, and the ledger verbs (import, control, ...).
return args.FirstOrDefault() switch
{
    "create-api-key" => await CreateApiKeyVerb.RunAsync(args[1..], Console.Out),
    "serve" => await ServeAsync(args[1..]),
    "import" or "export-acled" or "control" or "timeline" or "rebuild" => await LedgerVerbAsync(args[0], args[1..]),
    "help" or "--help" or "-h" => Help(),
    _ => await ServeAsync(args),
};

static async Task<int> ServeAsync(string[] args)
{
    await using var app = ConflictLedgerServer.Build(args);
    await app.StartAsync();
    Console.WriteLine($"""
        ConflictLedger is running on {string.Join(", ", app.Urls)}
          analyst page   {app.Urls.First()}/
          control        {app.Urls.First()}/api/control?at=2015-06-12
          feed           {app.Urls.First()}/feed   (live: /feed/live)
          API reference  {app.Urls.First()}/docs   (OpenAPI: /openapi/v1.json)
          health         {app.Urls.First()}/health/ready
        Reads are open; writes need an API key (scripts/run.sh create-api-key NAME, or ConflictLedger__ApiKeys__0).
        Ctrl+C stops it.
        """);
    await app.WaitForShutdownAsync();
    return 0;
}

static async Task<int> LedgerVerbAsync(string verb, string[] args)
{
    // Settings come from the environment and appsettings (the verb's own arguments are not configuration).
    await using var app = ConflictLedgerServer.Build([]);
    var ct = app.Lifetime.ApplicationStopping;
    try
    {
        var ledger = await Ledger.OpenAsync(app.Services, ct);
        return await LedgerCommands.RunAsync(verb, args, ledger, Console.Out, ct);
    }
    catch (UsageException ex)
    {
        await Console.Error.WriteLineAsync(ex.Message + Environment.NewLine + LedgerCommands.Usage);
        return 2;
    }
    catch (ImportException ex)
    {
        await Console.Error.WriteLineAsync(ex.Message);
        return 1;
    }
}

static int Help()
{
    Console.WriteLine(LedgerCommands.Usage);
    return 0;
}
