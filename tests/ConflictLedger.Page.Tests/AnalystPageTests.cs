using System.Net;
using Microsoft.Playwright;

namespace ConflictLedger.Page.Tests;

/// <summary>
/// The analyst's page in a real browser against the real server and the Derna seed.
/// Expectations from the reports: before the June 2015 fighting IS held Bab-Tobruk and
/// al-Harish Hospital; afterwards the Shura Council claims Bab-Tobruk (003) and IS had
/// lost the hospital with no gainer named (002).
/// </summary>
public sealed class AnalystPageTests(PageFixture server) : IClassFixture<PageFixture>
{
    private async Task<IPage> OpenAsync()
    {
        var page = await server.Browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1400, Height = 1000 } });
        // No internet here: map tiles are refused at once (the page shows its offline grid).
        await page.RouteAsync("https://tile.openstreetmap.org/**", route => route.AbortAsync());
        var errors = new List<string>();
        page.PageError += (_, error) => errors.Add(error);
        page.Console += (_, message) => { if (message.Type == "error") errors.Add(message.Text); };
        await page.GotoAsync(server.BaseAddress.ToString());
        try
        {
            await page.Locator("#state tbody tr[data-landmark='bab-tobruk']").WaitForAsync(new() { Timeout = 15000 });
        }
        catch (TimeoutException ex)
        {
            throw new TimeoutException("The page did not show the state table. Script errors: " + string.Join(" | ", errors), ex);
        }
        return page;
    }

    private static async Task SetDateAsync(IPage page, string date)
    {
        await page.FillAsync("#date", date);
        await page.DispatchEventAsync("#date", "change");
        await Assertions.Expect(page.Locator("#state-date")).ToContainTextAsync(date);
    }

    private static ILocator Controller(IPage page, string landmark) => page.Locator($"#state tbody tr[data-landmark='{landmark}'] td.controller");
    private static ILocator Status(IPage page, string landmark) => page.Locator($"#state tbody tr[data-landmark='{landmark}'] td.status");

    private static Task ScreenshotAsync(IPage page, string name) =>
        page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(PageFixture.ScreenshotFolder, name + ".png"), FullPage = true });

    [Fact]
    public async Task moving_the_date_across_the_fighting_changes_who_holds_the_landmarks()
    {
        var page = await OpenAsync();

        await SetDateAsync(page, "2015-06-01");
        await Assertions.Expect(Controller(page, "bab-tobruk")).ToContainTextAsync("Islamic State");
        await Assertions.Expect(Controller(page, "al-harish-hospital")).ToContainTextAsync("Islamic State");
        await ScreenshotAsync(page, "before-the-fighting");

        await SetDateAsync(page, "2015-06-20");
        await Assertions.Expect(Controller(page, "bab-tobruk")).ToContainTextAsync("Mujahideen Shura Council");
        await Assertions.Expect(Status(page, "al-harish-hospital")).ToHaveTextAsync("unknown");
        await Assertions.Expect(Controller(page, "police-headquarters")).ToContainTextAsync("Mujahideen Shura Council");
        await ScreenshotAsync(page, "after-the-fighting");

        // The slider is keyboard-operable: one step back is one day back.
        await page.FocusAsync("#slider");
        await page.Keyboard.PressAsync("ArrowLeft");
        await Assertions.Expect(page.Locator("#date")).ToHaveValueAsync("2015-06-19");
    }

    [Fact]
    public async Task the_first_days_clash_shows_both_casualty_figures_and_their_sources()
    {
        var page = await OpenAsync();
        await page.Locator(".marker[data-occurrence='derna-clashes-first-day'] circle").ClickAsync();

        var range = page.Locator("#casualty-range");
        await Assertions.Expect(range).ToContainTextAsync("11 to 20 dead across 2 sources");
        await Assertions.Expect(range).ToContainTextAsync("at least 20");
        await Assertions.Expect(page.Locator("#details .account")).ToHaveCountAsync(3);
        await Assertions.Expect(page.Locator("#details")).ToContainTextAsync("000_826cc1e8d54c4f38.txt");
        await ScreenshotAsync(page, "first-day-clash-accounts");
    }

    [Fact]
    public async Task a_band_opens_the_accounts_behind_it()
    {
        var page = await OpenAsync();
        await page.Locator(".band[data-landmark='bab-tobruk']").Last.ClickAsync();
        await Assertions.Expect(page.Locator("#details")).ToContainTextAsync("claimed by Mujahideen Shura Council");
        await Assertions.Expect(page.Locator("#details blockquote").First).Not.ToBeEmptyAsync();
    }

    [Fact]
    public async Task known_at_replays_the_view_with_only_what_was_published_by_then()
    {
        var page = await OpenAsync();
        await SetDateAsync(page, "2015-06-20");
        await Assertions.Expect(Status(page, "al-harish-hospital")).ToHaveTextAsync("unknown");

        // By 15 June only 003 (published 14 June) was out; 002, which reported the hospital lost, was not.
        await page.CheckAsync("#known-on");
        await page.FillAsync("#known", "2015-06-15");
        await page.DispatchEventAsync("#known", "change");
        await Assertions.Expect(page.Locator("#state-date")).ToContainTextAsync("as known on 2015-06-15");
        await Assertions.Expect(Status(page, "al-harish-hospital")).ToHaveTextAsync("no information");
        await Assertions.Expect(Controller(page, "bab-tobruk")).ToContainTextAsync("Mujahideen Shura Council");
        await ScreenshotAsync(page, "known-on-15-june");
    }

    [Fact]
    public async Task an_event_appended_through_the_api_updates_the_page_without_reload()
    {
        var page = await OpenAsync();
        await SetDateAsync(page, "2015-06-25");
        await Assertions.Expect(Status(page, "pearl-hotel")).ToHaveTextAsync("unknown");
        await Assertions.Expect(page.Locator("#live")).ToContainTextAsync("connected");

        var requests = new List<string>();
        page.Request += (_, r) => requests.Add(new Uri(r.Url).PathAndQuery);
        var response = await server.PostAsync("/api/occurrences", new
        {
            occurrenceId = "pearl-hotel-taken-by-msc-test",
            account = new
            {
                kind = "territory-taken",
                when = new { earliest = "2015-06-18", latest = "2015-06-18", precision = "day" },
                place = "Pearl Hotel",
                actors = new[] { new { actor = "MSC", role = "gainer" } },
                firmness = "reported",
                source = new { outlet = "Test wire", headline = "Shura Council in the Pearl Hotel", published = "2015-06-19", quote = "Shura Council fighters were seen at the Pearl Hotel." },
            },
        });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);

        await Assertions.Expect(Controller(page, "pearl-hotel")).ToContainTextAsync("Mujahideen Shura Council", new() { Timeout = 20000 });
        await Assertions.Expect(page.Locator("#live")).ToContainTextAsync("updated");
        await ScreenshotAsync(page, "after-live-update");
        // Only the landmark the event is about was fetched again, not the catalog or every timeline.
        Assert.Equal(["pearl-hotel"], await page.EvaluateAsync<string[]>("() => window.ledgerPage.refreshed.at(-1)"));
        Assert.DoesNotContain(requests, r => r.StartsWith("/api/catalog", StringComparison.Ordinal) || (r.StartsWith("/api/timelines", StringComparison.Ordinal) && !r.Contains("within=pearl-hotel", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task the_map_colours_derna_by_its_controller_on_the_chosen_date_over_openstreetmap_tiles()
    {
        // Stands in for tile.openstreetmap.org (this machine has no internet): a blank PNG per tile.
        var png = Convert.FromBase64String("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8/x8AAwMCAO+ip1sAAAAASUVORK5CYII=");
        var page = await server.Browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1400, Height = 1000 } });
        var tiles = 0;
        await page.RouteAsync("https://tile.openstreetmap.org/**", async route =>
        {
            Interlocked.Increment(ref tiles);
            await route.FulfillAsync(new RouteFulfillOptions { ContentType = "image/png", BodyBytes = png });
        });
        await page.GotoAsync(server.BaseAddress.ToString());
        await page.Locator("#state tbody tr[data-landmark='bab-tobruk']").WaitForAsync();
        await Assertions.Expect(page.Locator("#map")).ToHaveAttributeAsync("data-tiles", "osm");
        Assert.True(tiles > 0);

        await SetDateAsync(page, "2015-06-01");
        var isColour = await Swatch(page, "derna");
        await Assertions.Expect(page.Locator("#map .place-marker span")).ToHaveCountAsync(1);
        Assert.Equal(isColour, await MarkerColour(page));
        await SetDateAsync(page, "2015-08-01");
        await Assertions.Expect(Controller(page, "derna")).ToContainTextAsync("Mujahideen Shura Council");
        var mscColour = await Swatch(page, "derna");
        Assert.NotEqual(isColour, mscColour);
        await page.WaitForFunctionAsync("c => getComputedStyle(document.querySelector('#map .place-marker span')).backgroundColor === c", mscColour);
        await page.Locator("#map").ScreenshotAsync(new LocatorScreenshotOptions { Path = Path.Combine(PageFixture.ScreenshotFolder, "map-with-tiles.png") });
    }

    [Fact]
    public async Task without_tiles_the_map_falls_back_to_a_plain_grid_and_says_so()
    {
        var page = await server.Browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1400, Height = 1000 } });
        await page.RouteAsync("https://tile.openstreetmap.org/**", route => route.AbortAsync());
        await page.GotoAsync(server.BaseAddress.ToString());
        await Assertions.Expect(page.Locator("#map")).ToHaveAttributeAsync("data-tiles", "offline");
        await Assertions.Expect(page.Locator("#map-note")).ToContainTextAsync("plain grid");
        await Assertions.Expect(page.Locator("#map .place-marker")).ToHaveCountAsync(1);
    }

    [Fact]
    public async Task an_occurrence_names_the_sources_that_dated_it_and_each_source_its_own_date()
    {
        var page = await OpenAsync();
        await page.Locator(".marker[data-occurrence='nasr-akr-assassination'] circle").First.ClickAsync();
        // The seed alone: 002 says 10 June; 000, 001, 003 and 004 allow it; no source disagrees.
        await Assertions.Expect(page.Locator("#details")).ToContainTextAsync("Dated by");
        await Assertions.Expect(page.Locator("#details")).ToContainTextAsync("Says it happened on 2015-06-10");
    }

    [Fact]
    public async Task a_change_names_the_sources_that_pinned_its_date_or_the_dates_in_dispute()
    {
        var page = await OpenAsync();
        // Derna changed hands within 10-14 June: 002 and 003 give that week, 004 all June.
        // Occurrence symbols cover much of that narrow band: open it from the keyboard.
        await page.Locator(".band[data-landmark='derna'][aria-label*='uncertain']").First.PressAsync("Enter");
        var details = page.Locator("#details");
        await Assertions.Expect(details).ToContainTextAsync("Changed hands 2015-06-10 to 2015-06-14, the narrowest window every source allows, pinned by");
        await Assertions.Expect(details).ToContainTextAsync("changed hands between 2015-06-01 and 2015-06-30");
        await Assertions.Expect(details).ToContainTextAsync("changed hands between 2015-06-10 and 2015-06-14");

        // IS's take-over: 002 says October 2014, 004 November 2014.
        await page.SelectOptionAsync("#range", "all");
        await page.Locator(".band[data-landmark='derna'][aria-label*='disputed']").First.PressAsync("Enter");
        await Assertions.Expect(details).ToContainTextAsync("Sources disagree on the date: 2014-10-01 to 2014-10-31");
        await Assertions.Expect(details).ToContainTextAsync("versus 2014-11-01 to 2014-11-30");
        await ScreenshotAsync(page, "change-dated-by-its-sources");
    }

    private static Task<string> Swatch(IPage page, string landmark) =>
        page.Locator($"#state tbody tr[data-landmark='{landmark}'] td.controller .swatch").EvaluateAsync<string>("e => getComputedStyle(e).backgroundColor");

    private static Task<string> MarkerColour(IPage page) =>
        page.Locator("#map .place-marker span").EvaluateAsync<string>("e => getComputedStyle(e).backgroundColor");
}
