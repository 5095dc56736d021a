using System.Globalization;
using System.Text.Json;
using Microsoft.Playwright;
using Xunit.Abstractions;

namespace ConflictLedger.Page.Tests;

/// <summary>
/// The page with a country in it: the seed plus a generated ledger of 3,000 landmarks and
/// 20,000 accounts. Figures (first useful paint, requests, rows drawn, scroll and slider
/// times) are printed, not asserted: the machine is shared. Asserted: nothing the page asks
/// the service for fails, every landmark gets a row, and only the rows in view are drawn.
/// </summary>
public sealed class NationalPageTests(NationalPageFixture server, ITestOutputHelper output) : IClassFixture<NationalPageFixture>
{
    private const int Total = NationalLedger.Landmarks + 13; // and the seed's 13

    private async Task<(IPage Page, List<string> Requests, List<string> Failed)> OpenAsync()
    {
        var page = await server.Browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1400, Height = 1000 } });
        // Map tiles come from the internet, which this machine has not: refuse them at once
        // (the page then shows its offline grid) rather than wait on DNS.
        await page.RouteAsync("https://tile.openstreetmap.org/**", route => route.AbortAsync());
        var requests = new List<string>();
        var failed = new List<string>();
        var origin = server.BaseAddress.GetLeftPart(UriPartial.Authority);
        page.Request += (_, r) => { if (r.Url.StartsWith(origin, StringComparison.Ordinal)) requests.Add(r.Url); };
        page.RequestFailed += (_, r) => { if (r.Url.StartsWith(origin, StringComparison.Ordinal) && !r.Url.Contains("/feed/live", StringComparison.Ordinal)) failed.Add($"{r.Url}: {r.Failure}"); };
        page.Response += (_, r) => { if (r.Url.StartsWith(origin, StringComparison.Ordinal) && r.Status >= 400) failed.Add($"{r.Url}: {r.Status}"); };
        await page.GotoAsync(server.BaseAddress.ToString());
        await Assertions.Expect(page.Locator("#rows-note")).ToContainTextAsync($"{Total.ToString("N0", CultureInfo.InvariantCulture)} of {Total.ToString("N0", CultureInfo.InvariantCulture)} places", new() { Timeout = 60000 });
        await page.WaitForFunctionAsync("() => !document.querySelector('#timeline .loading') && window.ledgerPage.firstUsefulPaint !== null", null, new() { Timeout = 60000 });
        return (page, requests, failed);
    }

    private static async Task<double> Measure(IPage page, string script) => await page.EvaluateAsync<double>(script);

    [Fact]
    public async Task a_country_loads_in_a_few_requests_and_draws_only_the_rows_in_view()
    {
        var (page, requests, failed) = await OpenAsync();
        var firstPaint = await page.EvaluateAsync<double>("() => window.ledgerPage.firstUsefulPaint");
        var drawn = await page.EvaluateAsync<int>("() => window.ledgerPage.rowsDrawn");
        var apiRequests = requests.Count(r => r.Contains("/api/", StringComparison.Ordinal));

        // Scrolling: each step moves the list by a screenful and waits for the frame that draws it.
        var scroll = await Measure(page, """
            async () => {
              const scroller = document.getElementById('timeline-scroll');
              const frame = () => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)));
              const started = performance.now();
              for (let i = 1; i <= 20; i++) { scroller.scrollTop = i * 600; await frame(); }
              return (performance.now() - started) / 20;
            }
            """);
        var rowAfterScroll = await page.Locator("#timeline .row").First.GetAttributeAsync("data-row");

        // The slider: 30 days forward by keyboard, until the state table shows the last day.
        await page.FillAsync("#date", "2015-05-26");
        await page.DispatchEventAsync("#date", "change");
        await page.FocusAsync("#slider");
        var before = new DateOnly(2015, 5, 26);
        var started = System.Diagnostics.Stopwatch.StartNew();
        for (var i = 0; i < 30; i++) await page.Keyboard.PressAsync("ArrowRight");
        await Assertions.Expect(page.Locator("#state-date")).ToContainTextAsync(before.AddDays(30).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
        var slider = started.Elapsed.TotalMilliseconds / 30;
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(PageFixture.ScreenshotFolder, "national-3000-landmarks.png") });

        output.WriteLine($"ledger: {Total:N0} landmarks (3,000 generated + 13 seed), {NationalLedger.Occurrences * 2:N0} generated accounts, built in {server.Generated.Built.TotalMilliseconds:N0} ms, bulk-appended in {server.Generated.Appended.TotalMilliseconds:N0} ms");
        output.WriteLine($"first useful paint: {firstPaint:N0} ms after navigation start");
        output.WriteLine($"requests to the service: {requests.Count} ({apiRequests} to /api: {string.Join(", ", requests.Where(r => r.Contains("/api/", StringComparison.Ordinal)).Select(r => new Uri(r).PathAndQuery))})");
        output.WriteLine($"rows drawn: {drawn} of {Total:N0}; after scrolling the first drawn row is {rowAfterScroll}");
        output.WriteLine($"scroll: {scroll:N1} ms per screenful (to the frame that shows it); slider: {slider:N1} ms per day step (keyboard, to the state table)");

        Assert.Empty(failed);
        Assert.InRange(drawn, 1, 200);
        Assert.NotEqual("gen-country", rowAfterScroll);
    }

    [Fact]
    public async Task the_search_box_finds_a_place_and_the_places_an_actor_held()
    {
        var (page, _, failed) = await OpenAsync();
        await page.FillAsync("#search", "Place 17-42");
        await Assertions.Expect(page.Locator("#rows-note")).ToContainTextAsync("(1 of");
        await Assertions.Expect(page.Locator("#state tbody tr[data-landmark='gen-place-17-42']")).ToHaveCountAsync(1);

        await page.FillAsync("#search", "Tribal Council");
        var note = await page.Locator("#rows-note").TextContentAsync() ?? "";
        var shown = int.Parse(note.TrimStart('(').Split(' ')[0], NumberStyles.AllowThousands, CultureInfo.InvariantCulture);
        output.WriteLine($"'Tribal Council' shows {shown} places");
        Assert.InRange(shown, 2, Total - 1);
        Assert.Empty(failed);
    }

    [Fact]
    public async Task dense_places_are_clustered_on_the_map_with_the_offline_grid()
    {
        var (page, _, failed) = await OpenAsync();
        await Assertions.Expect(page.Locator("#map")).ToHaveAttributeAsync("data-tiles", "offline");
        await Assertions.Expect(page.Locator("#map")).ToHaveAttributeAsync("data-markers", (NationalLedger.Landmarks - 1 + 1).ToString(CultureInfo.InvariantCulture));
        var clusters = await page.Locator("#map .place-cluster").CountAsync();
        var markers = await page.Locator("#map .place-marker").CountAsync();
        output.WriteLine($"map: {clusters} clusters and {markers} single markers drawn for {NationalLedger.Landmarks} places with coordinates");
        Assert.True(clusters > 0);
        Assert.True(clusters + markers < 500);
        await page.Locator("#map").ScreenshotAsync(new LocatorScreenshotOptions { Path = Path.Combine(PageFixture.ScreenshotFolder, "national-map-clusters.png") });
        Assert.Empty(failed);
    }
}
