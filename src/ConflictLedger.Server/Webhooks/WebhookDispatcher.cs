using System.Collections.Concurrent;
using System.Globalization;
using System.Net.Http.Headers;
using ConflictLedger.Log;
using ConflictLedger.Server.Feed;
using ConflictLedger.Server.Operations;

namespace ConflictLedger.Server.Webhooks;

/// <summary>
/// Delivers the log to webhooks: one worker per active webhook, each POSTing one event (or
/// one batch) at a time in log order and moving the webhook's checkpoint only after a 2xx, so
/// delivery is at-least-once and in order. Workers share nothing but the database pool and
/// the HTTP client (no per-host connection limit), so a receiver that hangs or fails delays
/// only its own webhook. No transaction is open during an HTTP call: an open writing
/// transaction would hold back every reader of the log.
/// </summary>
public sealed class WebhookDispatcher(
    LedgerLog store,
    WebhookStore webhooks,
    LogNotifications notifications,
    ConflictLedgerOptions options,
    ConflictLedgerMetrics metrics,
    ILogger<WebhookDispatcher> logger) : BackgroundService
{
    private const int ReadBatch = 100;

    private readonly ConcurrentDictionary<Guid, Worker> workers = new();
    private readonly Pulse changed = new();
    private readonly HttpClient http = new(WebhookTargets.CreateHandler(options.AllowPrivateWebhookTargets))
    {
        Timeout = options.Webhooks.Timeout,
    };

    /// <summary>A webhook was created or changed: its worker looks again now rather than after its wait.</summary>
    public void Changed(Guid id)
    {
        if (workers.TryGetValue(id, out var worker)) worker.Wake.Fire();
        changed.Fire();
    }

    /// <summary>Starts a worker for each active webhook; polls too, for changes made by another server process.</summary>
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            var next = changed.Next();
            try
            {
                foreach (var id in await webhooks.ActiveIdsAsync(stoppingToken))
                    if (!workers.ContainsKey(id)) Start(id, stoppingToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                logger.LogWarning(ex, "Could not list the active webhooks; trying again");
            }
            try
            {
                await LogNotifications.WaitAsync(next, options.Feed.PollInterval, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }
        // Graceful shutdown: an in-flight delivery is cancelled before its checkpoint moves, so it is sent again on the next start.
        await Task.WhenAll(workers.Values.Select(w => w.Running));
        // The agent may be started again on this node later (Cluster/LedgerAgents).
        workers.Clear();
    }

    public override void Dispose()
    {
        http.Dispose();
        base.Dispose();
    }

    private void Start(Guid id, CancellationToken ct)
    {
        var worker = new Worker();
        workers[id] = worker;
        worker.Running = Task.Run(async () =>
        {
            try
            {
                await RunAsync(id, worker, ct);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                // Stopping.
            }
            finally
            {
                workers.TryRemove(KeyValuePair.Create(id, worker));
                changed.Fire();
            }
        }, CancellationToken.None);
    }

    private async Task RunAsync(Guid id, Worker worker, CancellationToken ct)
    {
        var wake = worker.Wake;
        var idle = new IdleWait(options.Feed.PollInterval);
        while (!ct.IsCancellationRequested)
        {
            var woken = wake.Next();
            var appended = notifications.NextAsync();
            try
            {
                var (step, failures) = await StepAsync(id, worker, ct);
                switch (step)
                {
                    case Step.Stopped:
                        return;
                    case Step.Idle:
                        await idle.WaitAsync(Task.WhenAny(appended, woken), null, ct);
                        break;
                    case Step.Failed:
                        idle.Reset();
                        await LogNotifications.WaitAsync(woken, Backoff(failures), ct);
                        break;
                    default:
                        idle.Reset();
                        break;
                }
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
            catch (CheckpointMovedException)
            {
                // Replayed while a delivery was in flight: carry on from the new checkpoint.
            }
            catch (Exception ex)
            {
                logger.LogWarning(ex, "Webhook {WebhookId}: dispatch failed (database?); retrying", id);
                await LogNotifications.WaitAsync(woken, options.Feed.PollInterval, ct);
            }
        }
    }

    private enum Step { Stopped, Idle, Skipped, Delivered, Failed }

    /// <summary>
    /// Delivers, one request at a time and in order, the wanted events of the next page after
    /// the checkpoint: one event per request, or up to the webhook's batch size when it opted
    /// in. Each success records its attempt and moves the checkpoint in one transaction, so a
    /// crash repeats at most the request in flight. The first failure ends the step. Events
    /// the webhook does not want are passed over.
    /// </summary>
    private async Task<(Step, int Failures)> StepAsync(Guid id, Worker worker, CancellationToken ct)
    {
        var checkpoint = Webhook.CheckpointName(id);
        var from = await store.Checkpoints.LoadAsync(checkpoint, ct);
        var events = await store.ReadAllAsync(from, new ReadAllOptions { Limit = worker.ReadLimit }, ct).ToListAsync(ct);
        // Read after the log, so an event appended after a pause (or delete) returned is never sent.
        var hook = await webhooks.FindAsync(id, ct);
        if (hook is not { Status: WebhookStatus.Active }) return (Step.Stopped, 0);
        // A batching webhook reads the most a step can use, so one read of the log feeds many requests.
        worker.ReadLimit = hook.BatchSize is null ? ReadBatch : Webhook.MaxBatchSize;
        if (events.Count == 0) return (Step.Idle, 0);

        var delivered = false;
        foreach (var request in (await hook.Filter.PassingAsync(events, store, ct)).Chunk(hook.BatchSize ?? 1))
        {
            // Shutdown lets the delivery in flight finish; the rest wait for the next start.
            if (ct.IsCancellationRequested) return (Step.Stopped, 0);
            var attempt = await DeliverAsync(hook, request, ct);
            if (!attempt.Succeeded)
            {
                await webhooks.RecordAttemptAsync(hook.Id, attempt, ct);
                return await FailedAsync(hook, request[0], attempt, ct);
            }
            metrics.WebhookDelivered(request.Length);
            await AdvanceAsync(hook, from, request[^1].Position, attempt, ct);
            hook = hook with { ConsecutiveFailures = 0 };
            from = request[^1].Position;
            delivered = true;
        }
        if (from != events[^1].Position) await AdvanceAsync(hook, from, events[^1].Position, null, ct);
        return (delivered ? Step.Delivered : Step.Skipped, 0);
    }

    private async Task<(Step, int Failures)> FailedAsync(Webhook hook, RecordedEvent next, DeliveryAttempt attempt, CancellationToken ct)
    {
        metrics.WebhookFailed();
        var (failures, status) = await webhooks.RecordFailureAsync(hook.Id, attempt.Error!, options.Webhooks.MaxConsecutiveFailures, ct);
        if (status == WebhookStatus.Disabled && failures > 0) // 0: deleted meanwhile
        {
            metrics.WebhookDisabled();
            logger.LogError("Webhook {WebhookId} disabled after {Failures} failures in a row at position {Position}: {Error}",
                hook.Id, failures, next.Position, attempt.Error);
        }
        else
            logger.LogWarning("Webhook {WebhookId}: delivery of {EventId} (position {Position}) failed, attempt {Attempt}: {Error}",
                hook.Id, next.Id, next.Position, attempt.Attempt, attempt.Error);
        return (Step.Failed, failures);
    }

    /// <summary>Moves the checkpoint (with the successful attempt that earned it, if any) and clears a failure streak, in one transaction.</summary>
    private async Task AdvanceAsync(Webhook hook, LogPosition from, LogPosition to, DeliveryAttempt? attempt, CancellationToken ct)
    {
        await using var connection = await store.DataSource.OpenConnectionAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);
        if (attempt is not null) await webhooks.RecordAttemptAsync(connection, tx, hook.Id, attempt, ct);
        await store.Checkpoints.AdvanceAsync(connection, tx, Webhook.CheckpointName(hook.Id), from, to, ct);
        if (hook.ConsecutiveFailures > 0) await webhooks.ClearFailuresAsync(connection, tx, hook.Id, ct);
        await tx.CommitAsync(ct);
    }

    /// <summary>
    /// One request: a CloudEvent (application/cloudevents+json), or for a batching webhook a
    /// JSON array of them (application/cloudevents-batch+json), signed either way. A batch's
    /// message id names its first and last positions, so a retry of the same events keeps it.
    /// </summary>
    private async Task<DeliveryAttempt> DeliverAsync(Webhook hook, RecordedEvent[] events, CancellationToken ct)
    {
        var (first, last) = (events[0], events[^1]);
        var batch = hook.BatchSize is not null;
        var body = batch ? LedgerCloudEvents.EncodeBatch(events, store.Options.Schema) : LedgerCloudEvents.Encode(first, store.Options.Schema);
        var messageId = batch ? $"batch_{first.Position.Value}_{last.Position.Value}" : first.Id.ToString();
        var timestamp = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        using var request = new HttpRequestMessage(HttpMethod.Post, hook.Url) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue(batch ? LedgerCloudEvents.BatchMediaType : LedgerCloudEvents.MediaType, "utf-8");
        request.Headers.Add("webhook-id", messageId);
        request.Headers.Add("webhook-timestamp", timestamp.ToString(CultureInfo.InvariantCulture));
        request.Headers.Add("webhook-signature", WebhookSignature.Sign(hook.Secret, messageId, timestamp, body));

        var started = TimeProvider.System.GetTimestamp();
        int? status = null;
        string? error;
        try
        {
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct);
            status = (int)response.StatusCode;
            error = response.IsSuccessStatusCode ? null : $"The endpoint answered {status} {response.ReasonPhrase}.";
        }
        catch (HttpRequestException ex)
        {
            error = ex.Message;
        }
        catch (TaskCanceledException) when (!ct.IsCancellationRequested)
        {
            error = $"No answer within {options.Webhooks.Timeout.TotalSeconds:0.###} s.";
        }
        var duration = (int)TimeProvider.System.GetElapsedTime(started).TotalMilliseconds;
        return new DeliveryAttempt(first.Id, last.Position.Value, hook.ConsecutiveFailures + 1, error is null, status, error, duration, DateTimeOffset.UtcNow, events.Length);
    }

    /// <summary>Exponential backoff with full jitter: uniformly random up to base * 2^(failures-1), capped.</summary>
    private TimeSpan Backoff(int failures)
    {
        var ceiling = Math.Min(
            options.Webhooks.BackoffCap.TotalMilliseconds,
            options.Webhooks.BackoffBase.TotalMilliseconds * Math.Pow(2, Math.Clamp(failures - 1, 0, 30)));
        return TimeSpan.FromMilliseconds(Random.Shared.NextDouble() * ceiling);
    }

    private sealed class Worker
    {
        public Pulse Wake { get; } = new();
        public Task Running { get; set; } = Task.CompletedTask;

        /// <summary>Events read per step: more for a batching webhook, once its settings are known.</summary>
        public int ReadLimit { get; set; } = ReadBatch;
    }
}

/// <summary>A signal many can wait on: <see cref="Next"/> completes at the next <see cref="Fire"/>.</summary>
internal sealed class Pulse
{
    private TaskCompletionSource current = New();

    public Task Next() => Volatile.Read(ref current).Task;

    public void Fire() => Interlocked.Exchange(ref current, New()).TrySetResult();

    private static TaskCompletionSource New() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
