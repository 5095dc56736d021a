using System.Net.Http.Headers;

namespace ConflictLedger.Server.Tests.Feed;

/// <summary>One server-sent event, or a comment line (a heartbeat).</summary>
public sealed record SseMessage(string? Id, string? Event, string? Data, string? Comment);

/// <summary>A minimal SSE reader over a real HTTP response, as a browser's EventSource reads it.</summary>
public sealed class SseClient : IAsyncDisposable
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(20);
    private readonly HttpResponseMessage response;
    private readonly StreamReader reader;

    private SseClient(HttpResponseMessage response, StreamReader reader)
    {
        this.response = response;
        this.reader = reader;
    }

    public HttpResponseMessage Response => response;

    public static async Task<SseClient> ConnectAsync(HttpClient http, string url, string? lastEventId = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
        if (lastEventId is not null) request.Headers.Add("Last-Event-ID", lastEventId);
        var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        response.EnsureSuccessStatusCode();
        return new SseClient(response, new StreamReader(await response.Content.ReadAsStreamAsync()));
    }

    /// <summary>The next event or comment; fails the test when none arrives in time.</summary>
    public async Task<SseMessage> ReadAsync()
    {
        using var timeout = new CancellationTokenSource(Deadline);
        string? id = null, type = null, data = null;
        while (true)
        {
            var line = await reader.ReadLineAsync(timeout.Token) ?? throw new EndOfStreamException("The event stream ended.");
            if (line.StartsWith(':')) return new SseMessage(null, null, null, line[1..].Trim());
            if (line.Length == 0)
            {
                if (data is not null) return new SseMessage(id, type, data, null);
                continue;
            }
            var (field, value) = line.IndexOf(':') is var colon and > 0 ? (line[..colon], line[(colon + 1)..].TrimStart()) : (line, "");
            switch (field)
            {
                case "id": id = value; break;
                case "event": type = value; break;
                case "data": data = data is null ? value : data + "\n" + value; break;
            }
        }
    }

    /// <summary>The next <paramref name="count"/> events, skipping heartbeats.</summary>
    public async Task<List<SseMessage>> ReadEventsAsync(int count)
    {
        var events = new List<SseMessage>();
        while (events.Count < count)
            if (await ReadAsync() is { Comment: null } message) events.Add(message);
        return events;
    }

    public ValueTask DisposeAsync()
    {
        reader.Dispose();
        response.Dispose();
        return ValueTask.CompletedTask;
    }
}
