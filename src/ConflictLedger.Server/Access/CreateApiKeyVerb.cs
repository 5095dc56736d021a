using ConflictLedger.Server.Operations;
using Microsoft.Extensions.Logging.Console;

namespace ConflictLedger.Server.Access;

/// <summary><c>create-api-key &lt;name&gt;</c>: stores a new key's hash and prints the key, the only time it is shown.</summary>
public static class CreateApiKeyVerb
{
    public static async Task<int> RunAsync(string[] args, TextWriter output, Action<WebApplicationBuilder>? configure = null)
    {
        if (args.Length == 0 || args[0].StartsWith('-'))
        {
            await output.WriteLineAsync("usage: scripts/run.sh create-api-key NAME [--ConflictLedger:Schema=SCHEMA]");
            return 2;
        }
        await using var app = ConflictLedgerServer.Build(args[1..], builder =>
        {
            // Standard output carries the key alone, so scripts can capture it.
            builder.Services.Configure<ConsoleLoggerOptions>(console => console.LogToStandardErrorThreshold = LogLevel.Trace);
            configure?.Invoke(builder);
        });
        var ct = app.Lifetime.ApplicationStopping;
        await app.Services.GetRequiredService<DatabaseMigrations>().MigrateAsync(ct);
        var key = await app.Services.GetRequiredService<ApiKeys>().CreateAsync(args[0], ct);
        await output.WriteLineAsync(key);
        return 0;
    }
}
