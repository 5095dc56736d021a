// The analyst's page: control of landmarks over time, the state at a date, the accounts
// behind each answer, a map, and live updates from the feed. Plain JavaScript: the
// server serves this file as it is, no build step.
"use strict";

const DAY = 86400000;
const PALETTE = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#F0E442", "#000000"]; // Okabe-Ito: safe for colour-blind readers
const KIND_SYMBOL = {
  "armed-clash": "C", "air-strike": "A", "suicide-bomb": "B", "assassination": "K", "attack-on-civilians": "V",
  "territory-taken": "T", "territory-lost": "T", "territory-transferred": "T", "headquarters-established": "H",
  "surrender": "S", "declaration-of-war": "D", "protest": "P", "arrests": "R", "prisoners-released": "F",
};
const ROW = 26, LABEL = 190, AXIS = 22;

const state = {
  landmarks: [], actors: new Map(), timelines: new Map(), occurrences: [],
  colours: new Map(), range: null, date: null, known: null, position: 0,
};

const $ = (id) => document.getElementById(id);
const iso = (d) => new Date(d).toISOString().slice(0, 10);
const parseDay = (s) => Date.parse(s + "T00:00:00Z");
const esc = (s) => String(s ?? "").replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c]));

async function getJson(url) {
  const response = await fetch(url, { headers: { Accept: "application/json" } });
  if (!response.ok) throw new Error(`${url}: ${response.status}`);
  return response.json();
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
function rows() {
  const children = new Map();
  for (const l of state.landmarks) {
    const key = l.parent ?? "";
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
  return out;
}

function setRange(name) {
  const fixed = { "2015": ["2015-01-01", "2016-01-01"], "june-2015": ["2015-05-25", "2015-07-06"] }[name];
  if (fixed) {
    state.range = fixed.map(parseDay);
  } else {
    const days = [];
    for (const t of state.timelines.values()) for (const i of t.intervals) for (const d of [i.from, i.to]) if (d) days.push(parseDay(d));
    for (const o of state.occurrences) days.push(parseDay(o.earliest), parseDay(o.latest));
    state.range = days.length ? [Math.min(...days) - 30 * DAY, Math.max(...days) + 60 * DAY] : [parseDay("2014-01-01"), parseDay("2016-01-01")];
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

async function load() {
  const [landmarks, actors] = await Promise.all([getJson("/api/catalog/landmarks"), getJson("/api/catalog/actors")]);
  state.landmarks = landmarks;
  state.actors = new Map(actors.map((a) => [a.id, a]));
  [...state.actors.keys()].sort().forEach(colour);
  const timelines = await Promise.all(landmarks.map((l) => getJson(`/api/landmarks/${encodeURIComponent(l.id)}/timeline${knownQuery("?")}`)));
  state.timelines = new Map(timelines.map((t) => [t.landmark.id, t]));
  state.position = Math.max(0, ...timelines.map((t) => t.position));
  state.occurrences = await getJson(`/api/occurrences${knownQuery("?")}`);
  if (!state.range) setRange($("range").value);
  drawTimeline();
  await showState();
}

function x(day, width) { return LABEL + ((day - state.range[0]) / (state.range[1] - state.range[0])) * (width - LABEL - 10); }

function drawTimeline() {
  const svg = $("timeline");
  const width = svg.clientWidth || 900;
  const list = rows();
  const height = AXIS + list.length * ROW + 8;
  svg.setAttribute("viewBox", `0 0 ${width} ${height}`);
  svg.setAttribute("height", height);
  const [start, end] = state.range;
  const parts = [];

  // Axis: month ticks (weeks when zoomed in).
  const span = end - start;
  const ticks = [];
  for (let t = new Date(start); t.getTime() <= end; ) {
    if (span < 120 * DAY) { ticks.push(t.getTime()); t = new Date(t.getTime() + 7 * DAY); }
    else { const m = new Date(Date.UTC(t.getUTCFullYear(), t.getUTCMonth() + 1, 1)); ticks.push(m.getTime()); t = m; }
  }
  parts.push(`<g class="axis">${ticks.filter((t) => t >= start && t <= end).map((t) =>
    `<line x1="${x(t, width)}" x2="${x(t, width)}" y1="${AXIS - 4}" y2="${height}" stroke="#e5e5e5"/><text x="${x(t, width) + 2}" y="${AXIS - 8}">${iso(t).slice(span < 120 * DAY ? 5 : 0, span < 120 * DAY ? 10 : 7)}</text>`).join("")}</g>`);

  list.forEach((row, index) => {
    const y = AXIS + index * ROW;
    const l = row.landmark;
    const room = Math.floor((LABEL - 8 - row.depth * 12) / 6.5);
    const shown = l.name.length > room ? l.name.slice(0, room - 1) + "…" : l.name;
    parts.push(`<text class="${row.group ? "group-label" : "row-label"}" x="${4 + row.depth * 12}" y="${y + 17}"><title>${esc(l.name)}</title>${esc(shown)}</text>`);
    const timeline = state.timelines.get(l.id);
    (timeline?.intervals ?? []).forEach((interval, k) => {
      const from = interval.from ? Math.max(parseDay(interval.from), start) : start;
      const to = interval.to ? Math.min(parseDay(interval.to), end) : end;
      if (to <= from) return;
      const x1 = x(from, width), x2 = x(to, width);
      const fill = interval.status === "disputed" ? "url(#hatch-disputed)"
        : interval.status === "uncertain" ? "url(#dots-uncertain)"
        : interval.status === "unknown" ? "url(#cross-unknown)"
        : colour(interval.controller);
      const label = interval.controller ? actorShort(interval.controller) : interval.status;
      const name = `${l.name}: ${describe(interval)} from ${interval.from ?? "…"} to ${interval.to ?? "…"}`;
      parts.push(`<g class="band" role="button" tabindex="0" data-landmark="${esc(l.id)}" data-interval="${k}" aria-label="${esc(name)}">
        <title>${esc(name)}</title>
        <rect x="${x1}" y="${y + 4}" width="${Math.max(2, x2 - x1)}" height="${ROW - 8}" fill="${fill}" stroke="#333" stroke-width="0.5"/>
        ${interval.status === "contested" ? `<rect x="${x1}" y="${y + 2}" width="${Math.max(2, x2 - x1)}" height="3" fill="#000"/>` : ""}
        ${x2 - x1 > 34 ? `<text x="${x1 + 4}" y="${y + 17}" font-size="11" fill="${interval.controller ? "#fff" : "#000"}" paint-order="stroke" stroke="${interval.controller ? "#000" : "#fff"}" stroke-width="2">${esc(label)}</text>` : ""}
      </g>`);
    });
    // Occurrences on the same days would hide each other: each marker sits at least a
    // marker's width to the right of the one before it (its line still starts at its day).
    let previous = -Infinity;
    const here = state.occurrences.filter((o) => o.places.includes(l.id)).sort((a, b) => a.earliest.localeCompare(b.earliest) || a.id.localeCompare(b.id));
    for (const o of here) {
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
  });
  parts.push(`<line class="cursor" x1="${x(state.date, width)}" x2="${x(state.date, width)}" y1="${AXIS - 4}" y2="${height}"/>`);
  svg.innerHTML = parts.join("");
  drawLegend();
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

async function showState() {
  $("state-date").textContent = iso(state.date) + (state.known ? ` (as known on ${state.known})` : "");
  const answer = await getJson(`/api/control?at=${iso(state.date)}${knownQuery("&")}`);
  const rowsHtml = rows().map(({ landmark, depth }) => {
    const entry = answer.landmarks.find((l) => l.landmark.id === landmark.id);
    const interval = entry?.interval;
    const sources = interval ? new Set(interval.evidence.map((e) => e.source.file ?? e.source.outlet)).size : 0;
    return `<tr data-landmark="${esc(landmark.id)}">
      <th scope="row" style="padding-left:${0.4 + depth * 0.8}rem">${esc(landmark.name)}</th>
      <td class="controller">${interval?.controller ? `<span class="swatch" style="background:${colour(interval.controller)}"></span>` : ""}${esc(interval?.controller ? actorName(interval.controller) : interval ? (interval.status === "unknown" ? "unknown" : interval.candidates.map(actorName).join(" or ")) : "—")}</td>
      <td class="status">${esc(interval?.status ?? "no information")}</td>
      <td>${sources || ""}</td></tr>`;
  }).join("");
  $("state").querySelector("tbody").innerHTML = rowsHtml;
  drawMap(answer);
  const cursor = document.querySelector("#timeline .cursor");
  if (cursor) {
    const width = $("timeline").clientWidth || 900;
    cursor.setAttribute("x1", x(state.date, width));
    cursor.setAttribute("x2", x(state.date, width));
  }
}

function drawMap(answer) {
  const points = state.landmarks.filter((l) => l.lat != null && l.lon != null);
  const svg = $("map");
  if (points.length === 0) { svg.innerHTML = `<text x="10" y="20">No landmark has coordinates.</text>`; return; }
  const lons = points.map((p) => p.lon), lats = points.map((p) => p.lat);
  const pad = 0.5;
  const [minLon, maxLon, minLat, maxLat] = [Math.min(...lons) - pad, Math.max(...lons) + pad, Math.min(...lats) - pad, Math.max(...lats) + pad];
  const px = (lon) => 20 + ((lon - minLon) / (maxLon - minLon)) * 360;
  const py = (lat) => 240 - ((lat - minLat) / (maxLat - minLat)) * 220;
  svg.innerHTML = points.map((p) => {
    const interval = answer.landmarks.find((l) => l.landmark.id === p.id)?.interval;
    const fill = interval?.controller ? colour(interval.controller) : "#fff";
    const label = `${p.name}: ${describe(interval)}`;
    return `<g data-landmark="${esc(p.id)}"><title>${esc(label)}</title>
      <circle cx="${px(p.lon)}" cy="${py(p.lat)}" r="9" fill="${fill}" stroke="#000" stroke-width="1.5" ${interval && !interval.controller ? 'stroke-dasharray="3 2"' : ""}/>
      <text x="${px(p.lon) + 12}" y="${py(p.lat) + 4}" font-size="12">${esc(p.name)} (${esc(interval?.controller ? actorShort(interval.controller) : interval?.status ?? "no information")})</text></g>`;
  }).join("") + `<text x="8" y="254" font-size="10" fill="#555">${minLon.toFixed(1)}°E – ${maxLon.toFixed(1)}°E, ${minLat.toFixed(1)}°N – ${maxLat.toFixed(1)}°N</text>`;
}

function accountCard(a) {
  const s = a.source ?? a.account?.source ?? {};
  const firmness = a.firmness ?? a.account?.firmness;
  const claimant = a.claimant ?? a.account?.claimant;
  return `<div class="account firmness-${esc(firmness)}" data-outlet="${esc(s.outlet)}">
    <div><strong>${esc(s.outlet)}</strong>${s.published ? `, published ${esc(s.published)}` : ", publication date unknown"}${s.file ? ` · <code>${esc(s.file)}</code>` : ""}</div>
    ${s.headline ? `<div>“${esc(s.headline)}”</div>` : ""}
    ${a.says ? `<div>${esc(a.says)}</div>` : ""}
    <div>How firm: ${esc(firmness)}${claimant ? ` (claimed by ${esc(actorName(claimant))})` : ""}${a.extent ? ` · extent: ${esc(a.extent)}` : ""}</div>
    ${a.account?.fatalities ? `<div class="figures">Dead: ${a.account.fatalities.exact ?? "at least " + a.account.fatalities.atLeast}</div>` : ""}
    ${s.quote ? `<blockquote>${esc(s.quote)}</blockquote>` : ""}
  </div>`;
}

function showInterval(landmarkId, index) {
  const interval = state.timelines.get(landmarkId).intervals[index];
  const landmark = state.landmarks.find((l) => l.id === landmarkId);
  $("details").innerHTML = `<h2 id="details-title">${esc(landmark.name)}: ${esc(describe(interval))}, ${esc(interval.from ?? "…")} to ${esc(interval.to ?? "…")}</h2>
    ${interval.evidence.map(accountCard).join("")}`;
  $("details").focus();
}

async function showOccurrence(id) {
  const o = await getJson(`/api/occurrences/${encodeURIComponent(id)}`);
  const c = o.casualties;
  const range = c.sources === 0 ? "no death toll reported"
    : c.low === c.high ? `${c.low} dead (${c.sources} source${c.sources > 1 ? "s" : ""})`
    : `${c.low} to ${c.high} dead across ${c.sources} sources`;
  $("details").innerHTML = `<h2 id="details-title">${esc(id.replaceAll("-", " "))}</h2>
    <p>${esc(o.kinds.join(", "))} · ${esc(o.places.map((p) => state.landmarks.find((l) => l.id === p)?.name ?? p).join(", "))} · ${esc(o.earliest)}${o.latest !== o.earliest ? " to " + esc(o.latest) : ""}</p>
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

function connectLive() {
  // Only what arrives after the data just loaded: the page already shows the rest.
  const source = new EventSource(`/feed/live?after=${state.position}`);
  let pending = null;
  source.onopen = () => { $("live").textContent = "live: connected"; };
  source.addEventListener("error", () => { $("live").textContent = "live feed disconnected; reconnecting…"; });
  const onEvent = (e) => {
    clearTimeout(pending);
    // Several events usually arrive together; redraw once they settle.
    pending = setTimeout(async () => {
      await load();
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
  $("slider").addEventListener("input", () => { state.date = state.range[0] + Number($("slider").value) * DAY; syncDateControls(); showState(); });
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
  });
  $("range").addEventListener("change", () => { setRange($("range").value); drawTimeline(); showState(); });
  const applyKnown = () => {
    $("known").disabled = !$("known-on").checked;
    state.known = $("known-on").checked && $("known").value ? $("known").value : null;
    $("known-note").textContent = state.known ? `Showing only what had been published (or recorded) by ${state.known}.` : "";
    load();
  };
  $("known-on").addEventListener("change", () => { if (!$("known").value) $("known").value = "2015-06-15"; applyKnown(); });
  $("known").addEventListener("change", applyKnown);
  $("timeline").addEventListener("click", onActivate);
  $("timeline").addEventListener("keydown", (e) => { if (e.key === "Enter" || e.key === " ") { e.preventDefault(); onActivate(e); } });
  window.addEventListener("resize", () => drawTimeline());
  load().then(connectLive).catch((e) => { $("live").textContent = "could not load: " + e.message; });
}

init();
