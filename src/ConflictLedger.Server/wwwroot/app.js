// The analyst's page: control of landmarks over time, the state at a date, the accounts
// behind each answer, a map, and live updates from the feed. Plain JavaScript: the
// server serves this file as it is, no build step (Leaflet is copied under lib/).
//
// It holds a country: the timelines come in a few pages from /api/timelines (intervals
// without evidence, occurrences as summaries), only the rows in view are drawn, the state
// at the slider's date is computed here from the intervals already loaded, and a live
// event refetches only the landmarks it is about.
"use strict";

const DAY = 86400000;
const PALETTE = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#F0E442", "#000000"]; // Okabe-Ito: safe for colour-blind readers
const KIND_SYMBOL = {
  "armed-clash": "C", "air-strike": "A", "suicide-bomb": "B", "assassination": "K", "attack-on-civilians": "V",
  "territory-taken": "T", "territory-lost": "T", "territory-transferred": "T", "headquarters-established": "H",
  "surrender": "S", "declaration-of-war": "D", "protest": "P", "arrests": "R", "prisoners-released": "F",
};
const ROW = 26, LABEL = 190, OVERSCAN = 6, PAGE = 1000;

const state = {
  landmarks: new Map(), actors: new Map(), colours: new Map(),
  rows: [],            // every landmark in tree order: { landmark, depth, group }
  shown: [],           // the rows the search leaves
  timelines: new Map(), // landmark id -> { intervals, occurrences }
  range: null, date: null, known: null, position: 0, search: "",
  firstPaint: null, drawn: 0, generation: 0,
};
// Figures a test (or a curious reader) can look at.
window.ledgerPage = { firstUsefulPaint: null, rowsDrawn: 0, timelineRequests: 0, refreshed: [] };

const $ = (id) => document.getElementById(id);
const iso = (d) => new Date(d).toISOString().slice(0, 10);
const parseDay = (s) => Date.parse(s + "T00:00:00Z");
const esc = (s) => String(s ?? "").replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c]));

async function fetchJson(url) {
  const response = await fetch(url, { headers: { Accept: "application/json" } });
  if (!response.ok) throw new Error(`${url}: ${response.status}`);
  return { body: await response.json(), response };
}

async function getJson(url) { return (await fetchJson(url)).body; }

/** Every item of a paged list, following the Link: rel="next" header. */
async function getAll(url) {
  const items = [];
  for (let next = url; next; ) {
    const { body, response } = await fetchJson(next);
    items.push(...body);
    next = /<([^>]+)>;\s*rel="next"/.exec(response.headers.get("Link") ?? "")?.[1] ?? null;
  }
  return items;
}

function knownQuery(prefix) { return state.known ? `${prefix}known=${state.known}` : ""; }

function actorName(id) { return id ? (state.actors.get(id)?.name ?? id) : "unknown"; }

/** A short label for bands: the shortest alias that is an acronym, else initials. */
function actorShort(id) {
  const actor = state.actors.get(id);
  if (!actor) return id ?? "?";
  const acronym = [...(actor.aliases ?? [])].filter((a) => /^[A-Z]{2,5}$/.test(a)).sort((a, b) => a.length - b.length)[0];
  return acronym ?? actor.name.split(/\s+/).filter((w) => /^[A-Z]/.test(w)).map((w) => w[0]).join("").slice(0, 4);
}

function colour(id) {
  if (!state.colours.has(id)) state.colours.set(id, PALETTE[state.colours.size % PALETTE.length]);
  return state.colours.get(id);
}

/** Rows: every landmark under its parent, depth first, roots first. */
function buildRows() {
  const children = new Map();
  for (const l of state.landmarks.values()) {
    const key = l.parent && state.landmarks.has(l.parent) ? l.parent : "";
    if (!children.has(key)) children.set(key, []);
    children.get(key).push(l);
  }
  for (const list of children.values()) list.sort((a, b) => a.name.localeCompare(b.name));
  const out = [];
  const walk = (parent, depth) => {
    for (const l of children.get(parent) ?? []) {
      out.push({ landmark: l, depth, group: (children.get(l.id) ?? []).length > 0 });
      walk(l.id, depth + 1);
    }
  };
  walk("", 0);
  state.rows = out;
  applySearch();
}

/** A place matches by name or alias; an actor by name or alias matches the places it held, fought for or acted at. */
function applySearch() {
  const q = state.search.trim().toLowerCase();
  if (!q) { state.shown = state.rows; }
  else {
    const actors = new Set([...state.actors.values()].filter((a) => [a.name, a.id, ...(a.aliases ?? [])].some((n) => n.toLowerCase().includes(q))).map((a) => a.id));
    state.shown = state.rows.filter(({ landmark: l }) => {
      if ([l.name, l.id, ...(l.aliases ?? [])].some((n) => n.toLowerCase().includes(q))) return true;
      const t = state.timelines.get(l.id);
      if (!t || actors.size === 0) return false;
      return t.intervals.some((i) => actors.has(i.controller) || i.candidates.some((c) => actors.has(c)))
        || t.occurrences.some((o) => o.actors.some((a) => actors.has(a)));
    });
  }
  $("rows-note").textContent = `(${state.shown.length.toLocaleString("en")} of ${state.rows.length.toLocaleString("en")} places)`;
  $("timeline-spacer").style.height = `${state.shown.length * ROW}px`;
}

function setRange(name) {
  const fixed = { "2015": ["2015-01-01", "2016-01-01"], "june-2015": ["2015-05-25", "2015-07-06"] }[name];
  if (fixed) {
    state.range = fixed.map(parseDay);
  } else {
    let min = Infinity, max = -Infinity;
    for (const t of state.timelines.values()) {
      for (const i of t.intervals) for (const d of [i.from, i.to]) if (d) { const v = parseDay(d); min = Math.min(min, v); max = Math.max(max, v); }
      for (const o of t.occurrences) { min = Math.min(min, parseDay(o.earliest)); max = Math.max(max, parseDay(o.latest)); }
    }
    state.range = min <= max ? [min - 30 * DAY, max + 60 * DAY] : [parseDay("2014-01-01"), parseDay("2016-01-01")];
  }
  const slider = $("slider");
  slider.max = Math.round((state.range[1] - state.range[0]) / DAY);
  if (state.date === null || state.date < state.range[0] || state.date > state.range[1]) state.date = state.range[0] + Math.floor(slider.max / 2) * DAY;
  syncDateControls();
}

function syncDateControls() {
  $("slider").value = Math.round((state.date - state.range[0]) / DAY);
  $("slider").setAttribute("aria-valuetext", iso(state.date));
  $("date").value = iso(state.date);
}

function mergeTimelines(items) {
  for (const row of items) state.timelines.set(row.landmark.id, { intervals: row.intervals, occurrences: row.occurrences });
}

/** The catalog, then the timelines page by page: the first page is drawn as soon as it arrives. */
async function load() {
  const generation = ++state.generation;
  const [landmarks, actors] = await Promise.all([getAll(`/api/catalog/landmarks?limit=10000`), getAll(`/api/catalog/actors?limit=10000`)]);
  state.landmarks = new Map(landmarks.map((l) => [l.id, l]));
  state.actors = new Map(actors.map((a) => [a.id, a]));
  [...state.actors.keys()].sort().forEach(colour);
  state.timelines = new Map();
  buildRows();
  let position = 0;
  for (let next = `/api/timelines?limit=${PAGE}${knownQuery("&")}`; next; ) {
    window.ledgerPage.timelineRequests++;
    const page = await getJson(next);
    if (generation !== state.generation) return; // a newer load (another "known") took over
    mergeTimelines(page.items);
    position = Math.max(position, page.position);
    next = page.next ?? null;
    if (!state.range) setRange($("range").value);
    if (state.search) applySearch();
    redraw();
    if (state.firstPaint === null) {
      state.firstPaint = performance.now();
      window.ledgerPage.firstUsefulPaint = state.firstPaint;
    }
  }
  state.position = position;
  if ($("range").value === "all") setRange("all");
  drawLegend();
  redraw();
  updateMap(true);
}

function x(day, width) { return LABEL + ((day - state.range[0]) / (state.range[1] - state.range[0])) * (width - LABEL - 10); }

function redraw() { drawTimeline(); showState(); }

function drawAxis(width) {
  const [start, end] = state.range;
  const span = end - start;
  const ticks = [];
  for (let t = new Date(start); t.getTime() <= end; ) {
    if (span < 120 * DAY) { ticks.push(t.getTime()); t = new Date(t.getTime() + 7 * DAY); }
    else { const m = new Date(Date.UTC(t.getUTCFullYear(), t.getUTCMonth() + 1, 1)); ticks.push(m.getTime()); t = m; }
  }
  const axis = $("timeline-axis");
  axis.setAttribute("viewBox", `0 0 ${width} 22`);
  axis.setAttribute("height", 22);
  axis.innerHTML = ticks.filter((t) => t >= start && t <= end).map((t) =>
    `<line x1="${x(t, width)}" x2="${x(t, width)}" y1="16" y2="22" stroke="#999"/><text x="${x(t, width) + 2}" y="12">${iso(t).slice(span < 120 * DAY ? 5 : 0, span < 120 * DAY ? 10 : 7)}</text>`).join("")
    + `<line class="cursor" x1="${x(state.date, width)}" x2="${x(state.date, width)}" y1="0" y2="22"/>`;
}

/** The rows in view (and a few either side), as [first, last). */
function rowsInView() {
  const scroller = $("timeline-scroll");
  const first = Math.max(0, Math.floor(scroller.scrollTop / ROW) - OVERSCAN);
  const last = Math.min(state.shown.length, Math.ceil((scroller.scrollTop + (scroller.clientHeight || 600)) / ROW) + OVERSCAN);
  return [first, last];
}

function bandFill(interval) {
  return interval.status === "disputed" ? "url(#hatch-disputed)"
    : interval.status === "uncertain" ? "url(#dots-uncertain)"
    : interval.status === "unknown" ? "url(#cross-unknown)"
    : colour(interval.controller);
}

function drawRow(row, index, width) {
  const y = index * ROW;
  const l = row.landmark;
  const [start, end] = state.range;
  const parts = [];
  const room = Math.floor((LABEL - 8 - row.depth * 12) / 6.5);
  const shown = l.name.length > room ? l.name.slice(0, room - 1) + "…" : l.name;
  parts.push(`<text class="${row.group ? "group-label" : "row-label"}" x="${4 + row.depth * 12}" y="${y + 17}"><title>${esc(l.name)}</title>${esc(shown)}</text>`);
  const timeline = state.timelines.get(l.id);
  if (!timeline) {
    parts.push(`<text class="loading" x="${LABEL + 4}" y="${y + 17}">loading…</text>`);
    return parts.join("");
  }
  timeline.intervals.forEach((interval, k) => {
    const from = interval.from ? Math.max(parseDay(interval.from), start) : start;
    const to = interval.to ? Math.min(parseDay(interval.to), end) : end;
    if (to <= from) return;
    const x1 = x(from, width), x2 = x(to, width);
    const label = interval.controller ? actorShort(interval.controller) : interval.status;
    const name = `${l.name}: ${describe(interval)} from ${interval.from ?? "…"} to ${interval.to ?? "…"}`;
    parts.push(`<g class="band" role="button" tabindex="0" data-landmark="${esc(l.id)}" data-interval="${k}" aria-label="${esc(name)}">
      <title>${esc(name)}</title>
      <rect x="${x1}" y="${y + 4}" width="${Math.max(2, x2 - x1)}" height="${ROW - 8}" fill="${bandFill(interval)}" stroke="#333" stroke-width="0.5"/>
      ${interval.status === "contested" ? `<rect x="${x1}" y="${y + 2}" width="${Math.max(2, x2 - x1)}" height="3" fill="#000"/>` : ""}
      ${x2 - x1 > 34 ? `<text x="${x1 + 4}" y="${y + 17}" font-size="11" fill="${interval.controller ? "#fff" : "#000"}" paint-order="stroke" stroke="${interval.controller ? "#000" : "#fff"}" stroke-width="2">${esc(label)}</text>` : ""}
    </g>`);
  });
  // Occurrences on the same days would hide each other: each marker sits at least a
  // marker's width to the right of the one before it (its line still starts at its day).
  let previous = -Infinity;
  for (const o of timeline.occurrences) {
    const day = parseDay(o.earliest);
    if (day < start || day > end) continue;
    const at = x(day, width);
    const cx = Math.max(at, previous + 15), cy = y + ROW / 2;
    previous = cx;
    const name = `${o.id.replaceAll("-", " ")}: ${o.kinds.join(", ")}, ${o.earliest}${o.latest !== o.earliest ? " to " + o.latest : ""}`;
    parts.push(`<g class="marker" role="button" tabindex="0" data-occurrence="${esc(o.id)}" aria-label="${esc(name)}"><title>${esc(name)}</title>
      <line x1="${at}" x2="${x(Math.min(parseDay(o.latest) + DAY, end), width)}" y1="${cy}" y2="${cy}" stroke="#000" stroke-width="1"/>
      <circle cx="${cx}" cy="${cy}" r="7" fill="#fff" stroke="#000"/>
      <text x="${cx}" y="${cy + 4}" font-size="10" text-anchor="middle">${KIND_SYMBOL[o.kinds[0]] ?? "•"}</text></g>`);
  }
  return parts.join("");
}

/** Draws only the rows in view: a country's thousands of rows cost what a screenful costs. */
function drawTimeline() {
  if (!state.range) return;
  const svg = $("timeline");
  const width = $("timeline-scroll").clientWidth || 900;
  const [first, last] = rowsInView();
  const height = Math.max(ROW, (last - first) * ROW);
  svg.style.top = `${first * ROW}px`;
  svg.setAttribute("viewBox", `0 ${first * ROW} ${width} ${height}`);
  svg.setAttribute("width", width);
  svg.setAttribute("height", height);
  const parts = [];
  for (let i = first; i < last; i++) parts.push(`<g class="row" data-row="${esc(state.shown[i].landmark.id)}">${drawRow(state.shown[i], i, width)}</g>`);
  parts.push(`<line class="cursor" x1="${x(state.date, width)}" x2="${x(state.date, width)}" y1="${first * ROW}" y2="${first * ROW + height}"/>`);
  svg.innerHTML = parts.join("");
  svg.dataset.rows = String(last - first);
  window.ledgerPage.rowsDrawn = last - first;
  drawAxis(width);
}

function moveCursor() {
  const width = $("timeline-scroll").clientWidth || 900;
  for (const cursor of document.querySelectorAll("#timeline .cursor, #timeline-axis .cursor")) {
    cursor.setAttribute("x1", x(state.date, width));
    cursor.setAttribute("x2", x(state.date, width));
  }
}

function drawLegend() {
  const used = new Set();
  for (const t of state.timelines.values()) for (const i of t.intervals) if (i.controller) used.add(i.controller);
  $("legend").innerHTML = [...used].sort().map((id) =>
    `<span><span class="swatch" style="background:${colour(id)}"></span>${esc(actorShort(id))}: ${esc(actorName(id))}</span>`).join("") +
    `<span><svg width="16" height="14"><rect width="16" height="14" fill="url(#hatch-disputed)"/></svg> disputed</span>
     <span><svg width="16" height="14"><rect width="16" height="14" fill="url(#dots-uncertain)"/></svg> uncertain</span>
     <span><svg width="16" height="14"><rect width="16" height="14" fill="url(#cross-unknown)"/></svg> holder unknown</span>
     <span>C clash · A air strike · K assassination · T territory · S surrender · D declaration · V attack on civilians · B suicide bomb · P protest · F prisoners freed</span>`;
}

function describe(interval) {
  if (!interval) return "no information";
  if (interval.controller) return `${interval.status} by ${actorName(interval.controller)}`;
  if (interval.status === "unknown") return "lost; holder unknown";
  return `${interval.status}: ${interval.candidates.map(actorName).join(" or ") || "no side named"}`;
}

/** The interval covering the chosen date, from what is loaded (no request). */
function intervalAt(landmarkId, day = state.date) {
  return state.timelines.get(landmarkId)?.intervals.find((i) => (!i.from || parseDay(i.from) <= day) && (!i.to || day < parseDay(i.to)));
}

/** The state at the cursor date for the rows in view. */
function showState() {
  $("state-date").textContent = iso(state.date) + (state.known ? ` (as known on ${state.known})` : "");
  const [first, last] = rowsInView();
  $("state").querySelector("tbody").innerHTML = state.shown.slice(first, last).map(({ landmark, depth }) => {
    const interval = intervalAt(landmark.id);
    return `<tr data-landmark="${esc(landmark.id)}">
      <th scope="row" style="padding-left:${0.4 + depth * 0.8}rem">${esc(landmark.name)}</th>
      <td class="controller">${interval?.controller ? `<span class="swatch" style="background:${colour(interval.controller)}"></span>` : ""}${esc(interval?.controller ? actorName(interval.controller) : interval ? (interval.status === "unknown" ? "unknown" : interval.candidates.map(actorName).join(" or ")) : "—")}</td>
      <td class="status">${esc(interval?.status ?? "no information")}</td>
      <td>${interval?.sources || ""}</td></tr>`;
  }).join("");
}

// ---- The map: Leaflet, OpenStreetMap tiles when they load, a plain grid when they do not.

const map = { leaflet: null, cluster: null, markers: new Map(), tiles: null, offline: false, fitted: false };

function markerIcon(fill, dashed) {
  return L.divIcon({ className: "place-marker", iconSize: [16, 16], html: `<span style="background:${fill};${dashed ? "border-style:dashed" : ""}"></span>` });
}

function goOffline(reason) {
  if (map.offline) return;
  map.offline = true;
  if (map.tiles) map.leaflet.removeLayer(map.tiles);
  const Grid = L.GridLayer.extend({
    createTile(coords) {
      const tile = document.createElement("canvas");
      const size = this.getTileSize();
      tile.width = size.x; tile.height = size.y;
      const g = tile.getContext("2d");
      g.fillStyle = "#eef3f7"; g.fillRect(0, 0, size.x, size.y);
      g.strokeStyle = "#cdd8e0"; g.strokeRect(0, 0, size.x, size.y);
      return tile;
    },
  });
  new Grid({ attribution: "offline: plain grid" }).addTo(map.leaflet);
  $("map-note").textContent = `Map tiles could not be loaded (${reason}); showing a plain grid.`;
  $("map").dataset.tiles = "offline";
}

function initMap() {
  if (map.leaflet || typeof L === "undefined") return;
  map.leaflet = L.map("map", { zoomControl: true, worldCopyJump: true, minZoom: 2, maxZoom: 18 }).setView([27, 17], 5);
  map.cluster = L.markerClusterGroup({
    chunkedLoading: true, showCoverageOnHover: false, maxClusterRadius: 50,
    // A group takes the colour most of its places share on the chosen date.
    iconCreateFunction(cluster) {
      const counts = new Map();
      for (const m of cluster.getAllChildMarkers()) counts.set(m.options.fill, (counts.get(m.options.fill) ?? 0) + 1);
      const [fill] = [...counts.entries()].sort((a, b) => b[1] - a[1])[0];
      return L.divIcon({ className: "place-cluster", iconSize: [34, 34], html: `<span style="background:${fill}">${cluster.getChildCount()}</span>` });
    },
  }).addTo(map.leaflet);
  if (navigator.onLine === false) { goOffline("the browser is offline"); return; }
  let loaded = 0;
  map.tiles = L.tileLayer("https://tile.openstreetmap.org/{z}/{x}/{y}.png", {
    maxZoom: 18, attribution: '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> contributors',
  });
  map.tiles.on("tileload", () => { if (!loaded++) { $("map").dataset.tiles = "osm"; $("map-note").textContent = ""; } });
  map.tiles.on("tileerror", () => { if (!loaded) goOffline("no connection to tile.openstreetmap.org"); });
  map.tiles.addTo(map.leaflet);
}

/** Colours each place by its controller on the chosen date; only markers whose colour changed are touched. */
function updateMap(fit = false, only = null) {
  initMap();
  if (!map.leaflet) return;
  const added = [];
  let changed = 0;
  for (const l of only ?? state.landmarks.values()) {
    if (l.lat == null || l.lon == null) continue;
    const interval = intervalAt(l.id);
    const fill = interval?.controller ? colour(interval.controller) : "#ffffff";
    const label = `${l.name}: ${describe(interval)}`;
    let marker = map.markers.get(l.id);
    if (!marker) {
      marker = L.marker([l.lat, l.lon], { icon: markerIcon(fill, interval && !interval.controller), fill, label, keyboard: true, title: l.name });
      marker.bindTooltip(label);
      marker.on("click", () => scrollToLandmark(l.id));
      map.markers.set(l.id, marker);
      added.push(marker);
    } else if (marker.options.fill !== fill) {
      marker.options.fill = fill;
      marker.setIcon(markerIcon(fill, interval && !interval.controller));
      changed++;
    }
    if (marker.options.label !== label) { marker.options.label = label; marker.setTooltipContent(label); }
  }
  if (added.length) map.cluster.addLayers(added);
  if (changed) map.cluster.refreshClusters();
  $("map").dataset.markers = String(map.markers.size);
  if (fit && !map.fitted && map.markers.size > 0) {
    map.fitted = true;
    map.leaflet.fitBounds(L.latLngBounds([...map.markers.values()].map((m) => m.getLatLng())).pad(0.2), { maxZoom: 11 });
  }
}

function scrollToLandmark(id) {
  const index = state.shown.findIndex((r) => r.landmark.id === id);
  if (index >= 0) $("timeline-scroll").scrollTop = index * ROW - ROW * 2;
}

// ---- Details

function accountCard(a) {
  const s = a.source ?? a.account?.source ?? {};
  const firmness = a.firmness ?? a.account?.firmness;
  const claimant = a.claimant ?? a.account?.claimant;
  const when = a.account?.when;
  // ACLED rows whose coding contradicts itself are kept, flagged, and never move a holder.
  const flags = a.flags ?? a.account?.flags ?? [];
  return `<div class="account firmness-${esc(firmness)}" data-outlet="${esc(s.outlet)}">
    ${flags.length ? `<div class="flags">${flags.map(f => `<span class="flag" title="kept as coded, but it never changes who holds a place on its own">${esc(f)}</span>`).join(" ")}</div>` : ""}
    <div><strong>${esc(s.outlet)}</strong>${s.published ? `, published ${esc(s.published)}` : ", publication date unknown"}${s.file ? ` · <code>${esc(s.file)}</code>` : ""}</div>
    ${s.headline ? `<div>“${esc(s.headline)}”</div>` : ""}
    ${a.says ? `<div>${esc(a.says)}</div>` : ""}
    ${when ? `<div>Says it happened ${when.earliest === when.latest ? "on " + esc(when.earliest) : `between ${esc(when.earliest)} and ${esc(when.latest)}`}</div>` : ""}
    <div>How firm: ${esc(firmness)}${claimant ? ` (claimed by ${esc(actorName(claimant))})` : ""}${a.extent ? ` · extent: ${esc(a.extent)}` : ""}</div>
    ${a.account?.fatalities ? `<div class="figures">Dead: ${a.account.fatalities.exact ?? "at least " + a.account.fatalities.atLeast}</div>` : ""}
    ${s.quote ? `<blockquote>${esc(s.quote)}</blockquote>` : ""}
  </div>`;
}

function windowText(w) { return w.earliest === w.latest ? w.earliest : `${w.earliest} to ${w.latest}`; }

/** Why a change is dated as it is: the sources that pinned it, or the dates in dispute. */
function changeText(change) {
  if (!change) return "";
  if (change.disputed?.length) return `<p class="note">Sources disagree on the date: ${change.disputed.map((o) => `${esc(windowText(o))} (${esc(o.sources.map((s) => s.outlet).join("; "))})`).join(" versus ")}.</p>`;
  return `<p class="note">Changed hands ${esc(windowText(change))}, the narrowest window every source allows, pinned by ${esc(change.pinnedBy.map((s) => s.outlet).join("; "))}.</p>`;
}

async function showInterval(landmarkId, index) {
  const summary = state.timelines.get(landmarkId).intervals[index];
  const landmark = state.landmarks.get(landmarkId);
  // The bulk timeline carries no evidence: the landmark's own timeline does.
  const full = await getJson(`/api/landmarks/${encodeURIComponent(landmarkId)}/timeline${knownQuery("?")}`);
  const interval = full.intervals.find((i) => i.from === summary.from && i.to === summary.to) ?? summary;
  $("details").innerHTML = `<h2 id="details-title">${esc(landmark.name)}: ${esc(describe(interval))}, ${esc(interval.from ?? "…")} to ${esc(interval.to ?? "…")}</h2>
    ${changeText(interval.change)}${(interval.evidence ?? []).map(accountCard).join("")}`;
  $("details").focus();
}

async function showOccurrence(id) {
  const o = await getJson(`/api/occurrences/${encodeURIComponent(id)}${knownQuery("?")}`);
  const c = o.casualties;
  const range = c.sources === 0 ? "no death toll reported"
    : c.low === c.high ? `${c.low} dead (${c.sources} source${c.sources > 1 ? "s" : ""})`
    : `${c.low} to ${c.high} dead across ${c.sources} sources`;
  const when = o.when;
  $("details").innerHTML = `<h2 id="details-title">${esc(id.replaceAll("-", " "))}</h2>
    <p>${esc(o.kinds.join(", "))} · ${esc(o.places.map((p) => state.landmarks.get(p)?.name ?? p).join(", "))} · ${esc(o.earliest)}${o.latest !== o.earliest ? " to " + esc(o.latest) : ""}</p>
    ${when?.disputed?.length ? `<p class="note" id="date-dispute">Sources disagree on the date: ${when.disputed.map((d) => `${esc(windowText(d))} (${esc(d.sources.map((s) => s.outlet).join("; "))})`).join(" versus ")}.</p>`
      : when ? `<p class="note">Dated by ${esc(when.pinnedBy.map((s) => s.outlet).join("; "))}.</p>` : ""}
    <p class="figures" id="casualty-range">${esc(range)}${c.figures.length ? ": " + c.figures.map((f) => `${esc(f.outlet)} ${f.fatalities.exact ?? "at least " + f.fatalities.atLeast}`).join("; ") : ""}</p>
    ${o.accounts.map((a) => `${a.retracted ? `<p class="note">Retracted: ${esc(a.retractionReason)}</p>` : ""}${accountCard(a)}`).join("")}`;
  $("details").focus();
}

function onActivate(event) {
  const band = event.target.closest(".band");
  const marker = event.target.closest(".marker");
  if (band) showInterval(band.dataset.landmark, Number(band.dataset.interval));
  else if (marker) showOccurrence(marker.dataset.occurrence);
}

// ---- Live updates: refetch only the landmarks an event is about, redraw what shows them.

async function refresh(places, position) {
  const ids = new Set();
  for (const place of places) {
    const page = await getJson(`/api/timelines?within=${encodeURIComponent(place)}&limit=2000&minPosition=${position}${knownQuery("&")}`);
    mergeTimelines(page.items);
    for (const row of page.items) ids.add(row.landmark.id);
  }
  window.ledgerPage.refreshed.push([...ids]);
  state.position = Math.max(state.position, position);
  if (state.search) applySearch();
  const [first, last] = rowsInView();
  if (state.shown.slice(first, last).some((r) => ids.has(r.landmark.id))) redraw();
  updateMap(false, [...ids].map((id) => state.landmarks.get(id)).filter(Boolean));
}

function connectLive() {
  // Only what arrives after the data just loaded: the page already shows the rest.
  const source = new EventSource(`/feed/live?after=${state.position}`);
  let pending = null, places = new Set(), reload = false, position = 0;
  source.onopen = () => { $("live").textContent = "live: connected"; };
  source.addEventListener("error", () => { $("live").textContent = "live feed disconnected; reconnecting…"; });
  const onEvent = (e) => {
    const event = JSON.parse(e.data);
    position = Math.max(position, event.position);
    const place = event.data?.account?.place;
    if (place) places.add(place);
    else if (event.type.startsWith("account-retracted")) places.add(`occurrence:${event.data.occurrenceId}`);
    else reload = true; // the catalog changed: rows come and go
    clearTimeout(pending);
    // Several events usually arrive together; act once they settle.
    pending = setTimeout(async () => {
      const [todo, full, at] = [places, reload, position];
      places = new Set(); reload = false;
      if (full) await load();
      else {
        const resolved = [];
        for (const p of todo) {
          if (!p.startsWith("occurrence:")) { resolved.push(p); continue; }
          const o = await getJson(`/api/occurrences/${encodeURIComponent(p.slice(11))}?minPosition=${at}`);
          resolved.push(...o.places);
        }
        await refresh(new Set(resolved), at);
      }
      $("live").textContent = `live: updated at ${new Date().toLocaleTimeString()} (event ${e.lastEventId})`;
      $("live").classList.add("updated");
    }, 250);
  };
  source.onmessage = onEvent;
  // Named events (event: <type>) do not reach onmessage: listen to every type we show.
  for (const kind of Object.keys(KIND_SYMBOL)) source.addEventListener(`${kind}-reported.v1`, onEvent);
  for (const type of ["account-corrected.v1", "account-retracted.v1", "landmark-cataloged.v1", "actor-cataloged.v1"]) source.addEventListener(type, onEvent);
}

function init() {
  let frame = null;
  const onDate = () => {
    syncDateControls();
    // One redraw per frame however fast the slider moves.
    if (frame) return;
    frame = requestAnimationFrame(() => { frame = null; moveCursor(); showState(); updateMap(); });
  };
  $("slider").addEventListener("input", () => { state.date = state.range[0] + Number($("slider").value) * DAY; onDate(); });
  $("slider").addEventListener("keydown", (e) => {
    if (e.key !== "PageUp" && e.key !== "PageDown") return;
    e.preventDefault();
    $("slider").value = Number($("slider").value) + (e.key === "PageUp" ? 30 : -30);
    $("slider").dispatchEvent(new Event("input"));
  });
  $("date").addEventListener("change", () => {
    if (!$("date").value) return;
    state.date = parseDay($("date").value);
    if (state.date < state.range[0] || state.date > state.range[1]) { $("range").value = "all"; setRange("all"); drawTimeline(); }
    syncDateControls();
    showState();
    updateMap();
  });
  $("range").addEventListener("change", () => { setRange($("range").value); redraw(); updateMap(); });
  const applyKnown = () => {
    $("known").disabled = !$("known-on").checked;
    state.known = $("known-on").checked && $("known").value ? $("known").value : null;
    $("known-note").textContent = state.known ? `Showing only what had been published (or recorded) by ${state.known}.` : "";
    load();
  };
  $("known-on").addEventListener("change", () => { if (!$("known").value) $("known").value = "2015-06-15"; applyKnown(); });
  $("known").addEventListener("change", applyKnown);
  $("search").addEventListener("input", () => { state.search = $("search").value; applySearch(); $("timeline-scroll").scrollTop = 0; redraw(); });
  let scrolling = null;
  $("timeline-scroll").addEventListener("scroll", () => {
    if (scrolling) return;
    scrolling = requestAnimationFrame(() => { scrolling = null; redraw(); });
  });
  $("timeline").addEventListener("click", onActivate);
  $("timeline").addEventListener("keydown", (e) => { if (e.key === "Enter" || e.key === " ") { e.preventDefault(); onActivate(e); } });
  window.addEventListener("resize", () => redraw());
  load().then(connectLive).catch((e) => { console.error(e); $("live").textContent = "could not load: " + (e?.message ?? e); });
}

init();
