namespace ConflictLedger.Server;

/// <summary>The server's settings, bound from the "ConflictLedger" configuration section.</summary>
public sealed class ConflictLedgerOptions
{
    public const string Section = "ConflictLedger";

    /// <summary>Npgsql connection string; falls back to the CONFLICTLEDGER_DB environment variable.</summary>
    public string? Database { get; set; }

    public string Schema { get; set; } = "ledger";

    /// <summary>The seed imported at start-up; by default <c>events/</c> in or above the working directory.</summary>
    public string? EventsFolder { get; set; }

    /// <summary>/health/ready fails while the read model is more events than this behind the log.</summary>
    public long MaxProjectionLag { get; set; } = 1000;

    /// <summary>Keys accepted besides those made with <c>create-api-key</c>; hashed in memory at start.</summary>
    public List<string> ApiKeys { get; set; } = [];

    /// <summary>When true, reads of /api and /feed need a key too.</summary>
    public bool RequireKeyForReads { get; set; }

    /// <summary>Lets webhooks target loopback and private networks: for tests and closed networks only.</summary>
    public bool AllowPrivateWebhookTargets { get; set; }

    public long MaxRequestBodyBytes { get; set; } = 256 * 1024;

    /// <summary>The Retry-After of the 503 answered while the database is unreachable.</summary>
    public TimeSpan DatabaseRetryAfter { get; set; } = TimeSpan.FromSeconds(5);

    public WriteRateLimitOptions WriteRateLimit { get; set; } = new();

    public FeedOptions Feed { get; set; } = new();

    public WebhookOptions Webhooks { get; set; } = new();

    /// <summary>Every event to a RabbitMQ topic exchange; off unless <c>RabbitMq:Uri</c> is set.</summary>
    public Broker.RabbitMqOptions RabbitMq { get; set; } = new();
}

/// <summary>A fixed window per API key on writes.</summary>
public sealed class WriteRateLimitOptions
{
    public int PermitLimit { get; set; } = 120;
    public TimeSpan Window { get; set; } = TimeSpan.FromMinutes(1);
}

public sealed class FeedOptions
{
    /// <summary>Idle live-feed connections get a comment this often, so proxies keep them open.</summary>
    public TimeSpan HeartbeatInterval { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>How often followers of the log read it when no notification arrives.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>The SSE <c>retry:</c> hint: how soon an EventSource reconnects if a stream ends.</summary>
    public TimeSpan ReconnectDelay { get; set; } = TimeSpan.FromSeconds(1);
}

public sealed class WebhookOptions
{
    /// <summary>The first retry waits up to this long; each further failure doubles the ceiling.</summary>
    public TimeSpan BackoffBase { get; set; } = TimeSpan.FromSeconds(1);

    public TimeSpan BackoffCap { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>After this many failures in a row a webhook is disabled until resumed or replayed.</summary>
    public int MaxConsecutiveFailures { get; set; } = 10;

    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Delivery records (GET /api/webhooks/ID/deliveries) older than this are deleted.</summary>
    public TimeSpan DeliveryRetention { get; set; } = TimeSpan.FromDays(7);

    /// <summary>How often old delivery records are looked for.</summary>
    public TimeSpan CleanupInterval { get; set; } = TimeSpan.FromHours(1);
}
