using ConflictLedger.Server;
using ConflictLedger.Server.Access;

// Verbs: serve (the default) | create-api-key <name>. New verbs go here.
return args.FirstOrDefault() switch
{
    "create-api-key" => await CreateApiKeyVerb.RunAsync(args[1..], Console.Out),
    "serve" => await ServeAsync(args[1..]),
    _ => await ServeAsync(args),
};

static async Task<int> ServeAsync(string[] args)
{
    await using var app = ConflictLedgerServer.Build(args);
    await app.RunAsync();
    return 0;
}
