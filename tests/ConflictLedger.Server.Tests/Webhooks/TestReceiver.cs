using System.Collections.Concurrent;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace ConflictLedger.Server.Tests.Webhooks;

/// <param name="Call">1 for the first request the receiver got.</param>
public sealed record ReceivedCall(int Call, string Id, string Timestamp, string Signature, byte[] Body, int AnsweredWith, string? ContentType = null)
{
    public bool Succeeded => AnsweredWith is >= 200 and < 300;
}

/// <summary>A real webhook endpoint on a loopback port that answers each call as <see cref="Answer"/> says.</summary>
public sealed class TestReceiver : IAsyncDisposable
{
    private readonly WebApplication app;
    private readonly ConcurrentQueue<ReceivedCall> calls = new();
    private int count;

    private TestReceiver(WebApplication app) => this.app = app;

    /// <summary>The status code for the n-th call (1-based).</summary>
    public Func<int, int> Answer { get; set; } = _ => 204;

    /// <summary>Awaited before each answer: a receiver that hangs until the test lets it go.</summary>
    public Task Hold { get; set; } = Task.CompletedTask;

    /// <summary>Calls that arrived, answered or not.</summary>
    public int Arrived => Volatile.Read(ref count);

    public string Url { get; private set; } = "";

    public IReadOnlyList<ReceivedCall> Calls => calls.ToArray();

    public IReadOnlyList<ReceivedCall> Delivered => calls.Where(c => c.Succeeded).ToArray();

    public static async Task<TestReceiver> StartAsync(Func<int, int>? answer = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var receiver = new TestReceiver(app);
        if (answer is not null) receiver.Answer = answer;
        app.MapPost("/hook", receiver.ReceiveAsync);
        await app.StartAsync();
        receiver.Url = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single() + "/hook";
        return receiver;
    }

    private async Task<IResult> ReceiveAsync(HttpRequest request)
    {
        using var body = new MemoryStream();
        await request.Body.CopyToAsync(body);
        var call = Interlocked.Increment(ref count);
        await Hold.WaitAsync(request.HttpContext.RequestAborted);
        var status = Answer(call);
        calls.Enqueue(new ReceivedCall(call, request.Headers["webhook-id"].ToString(), request.Headers["webhook-timestamp"].ToString(),
            request.Headers["webhook-signature"].ToString(), body.ToArray(), status, request.ContentType));
        return Results.StatusCode(status);
    }

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
    }
}
