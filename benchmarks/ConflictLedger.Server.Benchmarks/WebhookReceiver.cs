using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace ConflictLedger.Server.Benchmarks;

internal sealed record ReceivedCall(string Id, string Timestamp, string Signature, byte[] Body);

/// <summary>
/// A webhook endpoint on a loopback port that answers 200 at once. Each path keeps its
/// calls in arrival order; <see cref="ExpectAsync"/> completes when enough have arrived.
/// </summary>
internal sealed class WebhookReceiver : IAsyncDisposable
{
    private readonly WebApplication app;
    private readonly ConcurrentDictionary<string, ConcurrentQueue<ReceivedCall>> calls = new(StringComparer.Ordinal);
    private TaskCompletionSource done = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long remaining;

    private WebhookReceiver(WebApplication app) => this.app = app;

    public Uri BaseAddress { get; private set; } = null!;

    public static async Task<WebhookReceiver> StartAsync(CancellationToken ct)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var receiver = new WebhookReceiver(app);
        app.MapPost("/{name}", receiver.ReceiveAsync);
        await app.StartAsync(ct);
        receiver.BaseAddress = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single());
        return receiver;
    }

    public IReadOnlyList<ReceivedCall> Calls(string name) => calls.TryGetValue(name, out var queue) ? queue.ToArray() : [];

    /// <summary>Forgets earlier calls; the task completes after <paramref name="count"/> more.</summary>
    public Task ExpectAsync(long count)
    {
        calls.Clear();
        done = new(TaskCreationOptions.RunContinuationsAsynchronously);
        Interlocked.Exchange(ref remaining, count);
        return done.Task;
    }

    private async Task<IResult> ReceiveAsync(string name, HttpRequest request)
    {
        using var body = new MemoryStream();
        await request.Body.CopyToAsync(body, request.HttpContext.RequestAborted);
        calls.GetOrAdd(name, _ => new()).Enqueue(new ReceivedCall(
            request.Headers["webhook-id"].ToString(), request.Headers["webhook-timestamp"].ToString(),
            request.Headers["webhook-signature"].ToString(), body.ToArray()));
        // A batch body counts its events.
        var events = request.ContentType?.StartsWith("application/cloudevents-batch+json", StringComparison.Ordinal) == true
            ? System.Text.Json.JsonDocument.Parse(body.ToArray()).RootElement.GetArrayLength()
            : 1;
        if (Interlocked.Add(ref remaining, -events) <= 0) done.TrySetResult();
        return Results.Ok();
    }

    /// <summary>
    /// Checks a call as a receiver would, from the Standard Webhooks spec rather than with the
    /// server's own signing code: v1 = base64(HMAC-SHA256(key, "{id}.{timestamp}.{body}")).
    /// </summary>
    public static bool SignatureHolds(string secret, ReceivedCall call)
    {
        var key = Convert.FromBase64String(secret["whsec_".Length..]);
        var signed = Encoding.UTF8.GetBytes($"{call.Id}.{call.Timestamp}.").Concat(call.Body).ToArray();
        var expected = "v1," + Convert.ToBase64String(HMACSHA256.HashData(key, signed));
        return call.Signature.Split(' ').Contains(expected, StringComparer.Ordinal);
    }

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync(CancellationToken.None);
        await app.DisposeAsync();
    }
}
