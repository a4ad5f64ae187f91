"""The HTML report's inline stylesheet and script (no libraries, no network)."""

CSS = """
:root{--bg:#f5f6f8;--panel:#fff;--ink:#18212f;--ink2:#3d4756;--muted:#6b7482;--line:#e3e6eb;
--soft:#f1f3f6;--accent:#3b5bdb;--accent-soft:#edf2ff;--mark:#ffec99;--shadow:0 1px 2px
rgba(16,24,40,.05),0 1px 3px rgba(16,24,40,.04)}
*{box-sizing:border-box}
[hidden]{display:none!important}
html{scroll-padding-top:16px}
body{margin:0;background:var(--bg);color:var(--ink);font:14px/1.55 system-ui,-apple-system,
"Segoe UI",Roboto,"Helvetica Neue",Arial,"Noto Sans","Liberation Sans",sans-serif;
-webkit-font-smoothing:antialiased}
.wrap{max-width:1240px;margin:0 auto;padding:0 28px}
.muted{color:var(--muted)}
header.top{background:#fff;border-bottom:1px solid var(--line);padding:30px 0 26px}
.eyebrow{font-size:12px;font-weight:600;letter-spacing:.08em;text-transform:uppercase;
color:var(--accent)}
h1{font-size:28px;line-height:1.2;margin:6px 0 20px;letter-spacing:-.015em}
h2{font-size:18px;margin:0;letter-spacing:-.01em}
.cards{display:grid;grid-template-columns:repeat(8,minmax(0,1fr));gap:12px}
@media (max-width:1100px){.cards{grid-template-columns:repeat(4,minmax(0,1fr))}}
@media (max-width:600px){.cards{grid-template-columns:repeat(2,minmax(0,1fr))}}
.card{background:var(--soft);border-radius:12px;padding:12px 16px}
.card.wide{grid-column:span 2}
.card .k{font-size:12px;font-weight:500;color:var(--muted)}
.card .v{font-size:22px;font-weight:650;letter-spacing:-.01em;font-variant-numeric:tabular-nums}
.card .v.date{font-size:18px;padding-top:3px}
.card .s{font-size:11.5px;color:var(--muted);min-height:1em}
section{margin:30px 0}
.section-head{display:flex;align-items:baseline;gap:14px;flex-wrap:wrap;margin-bottom:12px}
a.jump{font-size:13px;color:var(--accent);text-decoration:none}
a.jump:hover{text-decoration:underline}
#sd-filter{margin-left:auto;width:320px;max-width:100%;padding:7px 12px;font:inherit;
border:1px solid var(--line);border-radius:8px;background:#fff;outline:none}
#sd-filter:focus{border-color:var(--accent);box-shadow:0 0 0 3px var(--accent-soft)}
.panel{background:var(--panel);border:1px solid var(--line);border-radius:12px;
box-shadow:var(--shadow);overflow:clip}
.scroll{overflow-x:auto}
table{border-collapse:collapse;width:100%}
table.points{table-layout:fixed}
table.points th.num{width:108px}
table.points th.num+th.num{width:88px}
table.points th.when{width:160px}
table.points th.c-spark{width:172px}
@media (max-width:1100px){table.points th.when{width:124px}table.points th.c-spark{width:132px}
table.points th.num{width:96px}table.points th.num+th.num{width:72px}
table.points th,tr.row td{padding-left:10px;padding-right:10px}}
@media (max-width:760px){table.points .c-spark,table.points th.when+th.when,
table.points td.when+td.when{display:none}}
table.points th{position:sticky;top:0;background:#fafbfc;z-index:1;text-align:left;
font-size:12px;font-weight:600;color:var(--muted);border-bottom:1px solid var(--line);
padding:0 14px;height:40px;white-space:nowrap}
th button{all:unset;cursor:pointer;padding:10px 0}
th button:hover,th button:focus-visible{color:var(--ink)}
th[aria-sort] button{color:var(--ink)}
th[aria-sort=ascending] button::after{content:" ▲";font-size:9px}
th[aria-sort=descending] button::after{content:" ▼";font-size:9px}
th.num,td.num{text-align:right}
tr.row{cursor:pointer}
tr.row td{padding:11px 14px;border-top:1px solid var(--line);vertical-align:middle}
tbody.tp:first-of-type tr.row td{border-top:0}
tr.row:hover td{background:#f8f9fc}
tr.row:focus-visible{outline:2px solid var(--accent);outline-offset:-2px}
tbody.open tr.row td{background:var(--accent-soft)}
.label{display:flex;align-items:flex-start;gap:8px;font-weight:600;color:var(--ink)}
.chev{flex:none;width:16px;color:var(--muted);transition:transform .15s;display:inline-block}
.chev::before{content:"›";font-size:18px;line-height:18px}
tbody.open .chev{transform:rotate(90deg)}
.meta{margin-left:24px;font-size:12px;color:var(--muted);overflow:hidden;text-overflow:ellipsis;
white-space:nowrap}
td.num{font-variant-numeric:tabular-nums;font-weight:600;white-space:nowrap}
.sizebar{height:3px;border-radius:2px;background:var(--accent);opacity:.45;margin:4px 0 0 auto}
td.when{white-space:nowrap;overflow:hidden;text-overflow:ellipsis;font-variant-numeric:tabular-nums}
td.when .o{font-size:12px;color:var(--muted)}
svg.spark{display:block;max-width:100%}
svg.spark path,svg.spark rect.bar{fill:var(--accent)}
svg.spark .base{stroke:#d5d9e0;stroke-width:1}
svg.spark rect.hit{fill:transparent}
svg.spark rect.bar:hover{fill:#1c3bb8}
button.more{display:block;width:100%;padding:12px;border:0;border-top:1px solid var(--line);
background:#fafbfc;color:var(--accent);font:inherit;font-weight:600;cursor:pointer}
button.more:hover{background:var(--accent-soft)}
.none{padding:18px;color:var(--muted);text-align:center;margin:0}
tr.detail>td{padding:0;border-top:1px solid var(--line);background:#fbfcfe}
.drill{padding:22px 24px 26px;display:grid;gap:16px;cursor:auto}
.d-head{display:flex;align-items:baseline;gap:12px;flex-wrap:wrap}
.d-head h3{margin:0;font-size:20px;letter-spacing:-.01em}
.d-head a{font:12px ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;color:var(--muted);
text-decoration:none}
.chips{display:flex;flex-wrap:wrap;gap:6px}
.chip{display:inline-block;padding:2px 10px;border-radius:999px;background:var(--accent-soft);
color:#2c46b0;font-size:12.5px;font-weight:500;white-space:nowrap}
.chip.outlet{background:#eef0f3;color:var(--ink2)}
.d-grid{display:grid;grid-template-columns:minmax(0,3fr) minmax(0,2fr);gap:16px;
align-items:start}
@media (max-width:900px){.d-grid{grid-template-columns:1fr}}
.box{background:#fff;border:1px solid var(--line);border-radius:10px;padding:14px 16px}
.box h4{margin:0 0 10px;font-size:11.5px;font-weight:600;letter-spacing:.06em;
text-transform:uppercase;color:var(--muted)}
blockquote.rep{margin:0;padding:2px 0 2px 14px;border-left:3px solid var(--accent);
font-size:15px;line-height:1.6;color:var(--ink)}
.m-meta{margin-top:8px;font-size:12px;color:var(--muted)}
.chain{display:flex;flex-wrap:wrap;align-items:center;gap:4px 6px;margin-bottom:12px}
.arrow{color:var(--muted);font-size:13px}
dl.seen{display:grid;grid-template-columns:auto 1fr;gap:4px 14px;margin:0 0 12px;font-size:13px}
dl.seen dt{color:var(--muted)}
dl.seen dd{margin:0;font-variant-numeric:tabular-nums}
.obars{display:grid;grid-template-columns:minmax(0,max-content) 1fr auto;gap:5px 10px;
align-items:center;font-size:12.5px}
.obars .bar{height:8px;border-radius:4px;background:var(--accent);opacity:.7;min-width:2px}
.obars .n{font-variant-numeric:tabular-nums;color:var(--muted);text-align:right}
.obars .name{overflow:hidden;text-overflow:ellipsis;white-space:nowrap}
.tl-axis{display:flex;justify-content:space-between;font-size:11.5px;color:var(--muted);
margin-top:4px}
svg.spark.big{width:100%;height:96px}
.m-title{display:flex;align-items:baseline;gap:10px;margin-bottom:4px}
.m-title h4{margin:0}
ol.members{list-style:none;margin:0;padding:0}
li.member{padding:12px 0;border-top:1px solid var(--line)}
li.member:first-child{border-top:0}
li.member.flash{animation:flash 1.6s ease-out}
@keyframes flash{from{background:#fff3bf}to{background:transparent}}
.m-head{display:flex;flex-wrap:wrap;align-items:center;gap:6px 10px;font-size:12.5px;
color:var(--muted);margin-bottom:4px}
.m-date{font-variant-numeric:tabular-nums;color:var(--ink2);font-weight:500;min-width:78px}
.m-pid{font:11.5px ui-monospace,SFMono-Regular,Menlo,Consolas,monospace}
.score{display:inline-flex;align-items:center;gap:5px;font-variant-numeric:tabular-nums}
.score i{display:inline-block;width:36px;height:5px;border-radius:3px;background:#e6e9ef;
overflow:hidden}
.score i b{display:block;height:100%;background:#12b886}
.tag{padding:1px 8px;border-radius:6px;font-size:11.5px;font-weight:600}
.tag.copies{background:#fff4e6;color:#c2410c;text-decoration:none}
a.tag.copies:hover{background:#ffe8cc}
.tag.rep{background:var(--accent-soft);color:#2c46b0}
.m-text{margin:0;font-size:14px;line-height:1.6;color:var(--ink2);max-width:920px}
mark{background:var(--mark);color:inherit;border-radius:3px;padding:0 1px}
mark.claim{background:var(--accent-soft);box-shadow:inset 0 -2px 0 var(--accent)}
.note{font-size:12px;color:var(--muted)}
table.heat{width:auto;border-collapse:separate;border-spacing:3px;margin:10px}
table.heat th{font-size:12px;font-weight:500;color:var(--ink2)}
table.heat thead th{padding:4px 2px;vertical-align:bottom;max-width:84px;font-size:11.5px;
line-height:1.25;overflow-wrap:anywhere}
table.heat.rot thead th span{writing-mode:vertical-rl;transform:rotate(180deg);max-height:150px;
white-space:nowrap;overflow:hidden;text-overflow:ellipsis;display:inline-block}
table.heat th.rl{text-align:left;padding:0 12px 0 4px;max-width:360px;white-space:nowrap;
overflow:hidden;text-overflow:ellipsis}
table.heat th.rl a{color:var(--ink);text-decoration:none}
table.heat th.rl a:hover{color:var(--accent);text-decoration:underline}
table.heat th.rl .n{color:var(--muted);font-size:11.5px;margin-left:6px}
td.cell{width:76px;min-width:76px;height:30px;border-radius:5px;background:#f3f4f7;
text-align:center;font-size:12px;font-variant-numeric:tabular-nums;color:var(--ink2)}
td.cell.dark{color:#fff}
table.heat.rot td.cell{width:42px;min-width:42px}
.legend{display:flex;align-items:center;gap:8px;font-size:12px;color:var(--muted);
margin:0 14px 14px}
.legend .ramp{width:140px;height:8px;border-radius:4px}
section.empty{text-align:center;padding:64px 20px;background:#fff;border:1px dashed #cfd4dc;
border-radius:14px}
section.empty p{color:var(--muted);max-width:460px;margin:8px auto 0}
.empty-icon{font-size:34px;color:#b0b7c3}
"""

JS = """
(function () {
"use strict";
var D = JSON.parse(document.getElementById("sd-data").textContent);
var P = D.points, axis = D.axis, byId = Object.create(null);
var table = document.getElementById("sd-table"), PAGE = 100;
if (!table) return;
P.forEach(function (p) { byId[p.id] = p; });

function el(tag, cls, text) {
  var e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text != null) e.textContent = text;
  return e;
}
function esc(s) {
  return String(s).replace(/[&<>"']/g, function (c) { return "&#" + c.charCodeAt(0) + ";"; });
}
function fmt(n) { return n == null ? "\\u2013" : Number(n).toLocaleString("en-US"); }
function plural(n, word) { return fmt(n) + " " + word + (n === 1 ? "" : "s"); }

// Timelines: counts on the report-wide axis, grouped into at most maxBars equal bins.
function bins(p, maxBars) {
  var n = axis.length, g = Math.max(1, Math.ceil(n / maxBars)), out = [];
  for (var i = 0; i < Math.ceil(n / g); i++) out.push(0);
  p.tl.forEach(function (t) { out[Math.floor(t[0] / g)] += t[1]; });
  return {counts: out, group: g};
}
var MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
// "2024-09" -> "Sep 2024", "2024-W36" -> "week of 2 Sep 2024", "2024-09-03" -> "3 Sep 2024"
function human(period) {
  var m = /^(\\d{4})-W(\\d{2})$/.exec(period);
  if (m) {  // the Monday of ISO week m[2]: week 1 holds 4 January
    var jan4 = new Date(Date.UTC(+m[1], 0, 4)), day = (jan4.getUTCDay() + 6) % 7;
    var monday = new Date(jan4.getTime() + ((+m[2] - 1) * 7 - day) * 864e5);
    return "week of " + monday.getUTCDate() + " " + MONTHS[monday.getUTCMonth()] + " " +
      monday.getUTCFullYear();
  }
  m = /^(\\d{4})-(\\d{2})(?:-(\\d{2}))?$/.exec(period);
  if (!m) return period;
  return (m[3] ? +m[3] + " " : "") + MONTHS[+m[2] - 1] + " " + m[1];
}
function binLabel(i, g) {
  var a = axis[i * g], b = axis[Math.min(axis.length, (i + 1) * g) - 1];
  return a === b ? human(a) : human(a) + " \\u2013 " + human(b);
}
function spark(p, w, h, big) {
  if (!p.tl.length) return '<span class="muted">no dates</span>';
  var b = bins(p, Math.floor(w / (big ? 6 : 3))), c = b.counts, k = c.length;
  var max = Math.max.apply(null, c) || 1, bw = w / k, gap = bw >= 4 ? Math.min(2, bw * 0.25) : 0;
  var s = "", d = "";
  for (var i = 0; i < k; i++) {
    var x = (i * bw).toFixed(2), bh = c[i] ? Math.max(2, c[i] / max * (h - 3)) : 0;
    var y = (h - 1 - bh).toFixed(2), ww = (bw - gap).toFixed(2);
    if (big) {
      var tip = "<title>" + esc(binLabel(i, b.group)) + ": " + plural(c[i], "paragraph") +
        "</title>";
      s += '<rect class="hit" x="' + x + '" y="0" width="' + ww + '" height="' + h + '">' +
        tip + "</rect>";
      if (c[i]) s += '<rect class="bar" x="' + x + '" y="' + y + '" width="' + ww +
        '" height="' + bh.toFixed(2) + '" rx="1.5">' + tip + "</rect>";
    } else if (c[i]) {
      d += "M" + x + " " + y + "h" + ww + "v" + bh.toFixed(2) + "h-" + ww + "z";
    }
  }
  if (d) s = '<path d="' + d + '"></path>';
  return '<svg class="spark' + (big ? " big" : "") + '" viewBox="0 0 ' + w + " " + h +
    (big ? "" : '" width="' + w + '" height="' + h) + '" preserveAspectRatio="none" role="img" ' +
    'aria-label="' + esc(plural(p.size, "paragraph") + " over time") + '">' +
    '<line class="base" x1="0" x2="' + w + '" y1="' + (h - 0.5) + '" y2="' + (h - 0.5) +
    '"></line>' + s + "</svg>";
}

function seenCell(s) {
  var td = el("td", "when", s && s.date ? s.date : "undated");
  if (s && s.outlet) {
    td.appendChild(el("br"));
    td.appendChild(el("span", "o", s.tie ? s.outlet + " (tie)" : s.outlet));
  }
  return td;
}

var maxSize = Math.max.apply(null, P.map(function (p) { return p.size; }).concat([1]));
P.forEach(function (p) {
  var tb = el("tbody", "tp"), tr = el("tr", "row"), td = el("td", "c-label");
  tb.setAttribute("data-tp", p.id);
  tr.tabIndex = 0;
  tr.setAttribute("aria-expanded", "false");
  var label = el("div", "label");
  label.appendChild(el("span", "chev"));
  label.appendChild(el("span", null, p.label));
  td.appendChild(label);
  td.appendChild(el("div", "meta", [p.id].concat(p.keywords.slice(0, 6)).join(" \\u00b7 ")));
  tr.appendChild(td);
  td = el("td", "num", fmt(p.size));
  var bar = el("div", "sizebar");
  bar.style.width = Math.max(4, Math.round(56 * p.size / maxSize)) + "px";
  td.appendChild(bar);
  tr.appendChild(td);
  tr.appendChild(el("td", "num", fmt(p.n_outlets)));
  tr.appendChild(seenCell(p.first));
  tr.appendChild(seenCell(p.last));
  td = el("td", "c-spark");
  td.innerHTML = spark(p, 140, 30, false);
  tr.appendChild(td);
  tb.appendChild(tr);
  var detail = el("tr", "detail"), cell = el("td");
  cell.colSpan = 6;
  detail.hidden = true;
  detail.appendChild(cell);
  tb.appendChild(detail);
  tr.addEventListener("click", function () { toggle(p); });
  tr.addEventListener("keydown", function (e) {
    if (e.key === "Enter" || e.key === " ") { e.preventDefault(); toggle(p); }
  });
  p.tb = tb; p.row = tr; p.detail = detail; p.cell = cell;
  p.search = [p.id, p.label, p.keywords.join(" "), Object.keys(p.outlets).join(" ")]
    .join(" ").toLowerCase();
  table.appendChild(tb);
});

function toggle(p, open) {
  open = open == null ? p.detail.hidden : open;
  if (open && !p.cell.firstChild) p.cell.appendChild(drill(p));
  p.detail.hidden = !open;
  p.tb.classList.toggle("open", open);
  p.row.setAttribute("aria-expanded", String(open));
  if (open) {
    try { history.replaceState(null, "", "#" + encodeURIComponent(p.id)); } catch (e) {}
  }
}

function box(title) {
  var b = el("div", "box");
  if (title) b.appendChild(el("h4", null, title));
  return b;
}
function drill(p) {
  var d = el("div", "drill"), head = el("div", "d-head"), link = el("a", null, p.id);
  head.appendChild(el("h3", null, p.label));
  link.href = "#" + encodeURIComponent(p.id);
  link.title = "Link to this talking point";
  head.appendChild(link);
  d.appendChild(head);
  var chips = el("div", "chips");
  p.keywords.forEach(function (k) { chips.appendChild(el("span", "chip", k)); });
  d.appendChild(chips);

  var grid = el("div", "d-grid"), rep = box("Representative paragraph");
  if (p.rep) {
    var quote = el("blockquote", "rep");
    p.rep.parts.forEach(function (s, i) {
      if (s) quote.appendChild(i % 2 ? el("mark", "claim", s) : document.createTextNode(s));
    });
    rep.appendChild(quote);
    rep.appendChild(el("div", "m-meta",
      [p.rep.outlet, p.rep.date || "undated", p.rep.pid].join(" \\u00b7 ")));
  } else {
    rep.appendChild(el("p", "muted", "No representative paragraph."));
  }
  grid.appendChild(rep);
  var prov = box("Provenance"), chain = el("div", "chain");
  p.order.forEach(function (o, i) {
    if (i) chain.appendChild(el("span", "arrow", "\\u2192"));
    chain.appendChild(el("span", "chip outlet", o));
  });
  if (p.order.length) prov.appendChild(chain);
  var dl = el("dl", "seen");
  [["First seen", p.first], ["Last seen", p.last]].forEach(function (r) {
    var s = r[1];
    dl.appendChild(el("dt", null, r[0]));
    dl.appendChild(el("dd", null, !s ? "\\u2013" : [s.date || "undated", s.outlet, s.pid,
      s.tie ? "a tie: another outlet the same day, nothing says which was first" : ""]
      .filter(function (x) { return x; }).join(" \\u00b7 ")));
  });
  prov.appendChild(dl);
  var bars = el("div", "obars"), names = Object.keys(p.outlets);
  names.sort(function (a, b) { return p.outlets[b] - p.outlets[a] || (a < b ? -1 : 1); });
  var top = names.length ? p.outlets[names[0]] : 1;
  names.forEach(function (o) {
    var name = el("span", "name", o), holder = el("span"), bar = el("div", "bar");
    name.title = o;
    bar.style.width = (100 * p.outlets[o] / top).toFixed(1) + "%";
    holder.appendChild(bar);
    bars.appendChild(name); bars.appendChild(holder);
    bars.appendChild(el("span", "n", fmt(p.outlets[o])));
  });
  prov.appendChild(bars);
  grid.appendChild(prov);
  d.appendChild(grid);

  var tl = box("Timeline by " + D.unit);
  tl.insertAdjacentHTML("beforeend", spark(p, 900, 96, true));
  if (p.tl.length) {
    var ax = el("div", "tl-axis");
    ax.appendChild(el("span", null, human(axis[0])));
    ax.appendChild(el("span", null, human(axis[axis.length - 1])));
    tl.appendChild(ax);
  }
  d.appendChild(tl);

  var mb = box(), title = el("div", "m-title");
  title.appendChild(el("h4", null, "Paragraphs (" + fmt(p.total) + ")"));
  var note = p.members.length < p.total ?
    "showing " + fmt(p.members.length) + " of " + fmt(p.total) + " \\u00b7 " : "";
  title.appendChild(el("span", "note", note + (p.claims
    ? "the claims that put each paragraph here are marked"
    : "phrases shared with other paragraphs are marked")));
  mb.appendChild(title);
  var list = el("ol", "members"), byPid = Object.create(null);
  p.members.forEach(function (m) {
    var li = el("li", "member"), h = el("div", "m-head"), t = el("p", "m-text");
    byPid[m.pid] = li;
    h.appendChild(el("span", "m-date", m.date || "undated"));
    h.appendChild(el("span", "chip outlet", m.outlet));
    if (m.score != null) {
      var sc = el("span", "score"), i = el("i"), b = el("b");
      b.style.width = Math.max(0, Math.min(100, 100 * m.score)).toFixed(0) + "%";
      i.appendChild(b); sc.appendChild(i); sc.appendChild(el("span", null, m.score.toFixed(2)));
      sc.title = "similarity score";
      h.appendChild(sc);
    }
    h.appendChild(el("span", "m-pid", m.pid));
    if (p.rep && m.pid === p.rep.pid) h.appendChild(el("span", "tag rep", "representative"));
    if (m.copies) {
      var tie = m.provenance === "tie";
      var c = el("a", "tag copies", (tie ? "same text as " : "copies ") + m.copies);
      c.href = "#";
      c.title = tie ? "near-verbatim twin, same day: nothing says which came first"
        : m.provenance === "credit" ? "near-verbatim copy: its wire credit names the source"
        : "near-verbatim copy of an earlier paragraph";
      c.addEventListener("click", function (e) {
        e.preventDefault();
        var target = byPid[m.copies];
        if (!target) return;
        target.scrollIntoView({block: "center", behavior: "smooth"});
        target.classList.remove("flash"); void target.offsetWidth; target.classList.add("flash");
      });
      h.appendChild(c);
    }
    m.parts.forEach(function (s, i) {
      if (s) t.appendChild(i % 2 ? el("mark", p.claims ? "claim" : null, s)
                                 : document.createTextNode(s));
    });
    li.appendChild(h); li.appendChild(t); list.appendChild(li);
  });
  mb.appendChild(list);
  d.appendChild(mb);
  return d;
}

// Sorting, filtering and paging: each talking point is one <tbody>, so its drill-down moves with
// it. Only the first `limit` matching rows are shown; "Show more" raises the limit.
var sortKey = "size", sortDir = -1, order = P, limit = PAGE;
var heads = table.querySelectorAll("th[data-key]");
var filter = document.getElementById("sd-filter"), count = document.getElementById("sd-count");
var more = document.getElementById("sd-more");
function value(p, key) {
  if (key === "first" || key === "last") return p[key] && p[key].date;
  return key === "label" ? p.label.toLowerCase() : p[key];
}
function sortBy(key, dir) {
  sortKey = key; sortDir = dir;
  order = P.slice().sort(function (a, b) {
    var x = value(a, key), y = value(b, key);
    if (x == null || y == null) { if (x != y) return x == null ? 1 : -1; }
    else if (x < y) return -dir;
    else if (x > y) return dir;
    return b.size - a.size || (a.id < b.id ? -1 : 1);
  });
  order.forEach(function (p) { table.appendChild(p.tb); });
  Array.prototype.forEach.call(heads, function (th) {
    if (th.dataset.key === key) {
      th.setAttribute("aria-sort", dir > 0 ? "ascending" : "descending");
    } else th.removeAttribute("aria-sort");
  });
  refresh();
}
function refresh() {
  var words = filter.value.toLowerCase().split(/\\s+/).filter(Boolean), matched = 0, shown = 0;
  order.forEach(function (p) {
    var ok = words.every(function (w) { return p.search.indexOf(w) >= 0; });
    matched += ok ? 1 : 0;
    ok = ok && (matched <= limit || p.pinned);
    p.tb.hidden = !ok;
    shown += ok ? 1 : 0;
  });
  var of = words.length ? fmt(matched) + " of " + plural(P.length, "talking point") :
    plural(P.length, "talking point");
  count.textContent = shown < matched ? "showing " + fmt(shown) + " of " + of : of;
  document.getElementById("sd-none").hidden = matched > 0;
  more.hidden = shown >= matched;
  more.textContent = "Show " + fmt(Math.min(PAGE, matched - shown)) + " more";
}
Array.prototype.forEach.call(heads, function (th) {
  th.querySelector("button").addEventListener("click", function () {
    var key = th.dataset.key;
    sortBy(key, key === sortKey ? -sortDir : (key === "label" || key === "first" ? 1 : -1));
  });
});
filter.addEventListener("input", function () { limit = PAGE; refresh(); });
more.addEventListener("click", function () { limit += PAGE; refresh(); });
sortBy("size", -1);

// Show a talking point's row (past the filter and the page limit) with its drill-down open.
function reveal(p) {
  p.pinned = true;
  if (p.tb.hidden) { filter.value = ""; refresh(); }
  toggle(p, true);
  var top = p.tb.getBoundingClientRect().top;
  if (top < 0 || top > window.innerHeight * 0.6) p.tb.scrollIntoView({block: "start"});
}

// Heatmap: outlets x the largest talking points.
(function () {
  var H = D.heatmap, host = document.getElementById("sd-heatmap");
  if (!H.rows.length || !H.outlets.length) {
    host.appendChild(el("p", "none", "No outlets."));
    return;
  }
  var t = el("table", "heat" + (H.outlets.length > 10 ? " rot" : "")), tr = el("tr");
  var head = el("thead"), body = el("tbody");
  tr.appendChild(el("th"));
  H.outlets.forEach(function (o) {
    var th = el("th"); th.title = o; th.appendChild(el("span", null, o)); tr.appendChild(th);
  });
  head.appendChild(tr); t.appendChild(head);
  function shade(f) {
    return "hsl(228," + (55 + 20 * f).toFixed(0) + "%," + (95 - 53 * f).toFixed(1) + "%)";
  }
  H.rows.forEach(function (i) {
    var p = P[i], row = el("tr"), th = el("th", "rl"), a = el("a", null, p.label);
    a.href = "#" + encodeURIComponent(p.id);
    a.addEventListener("click", function (e) { e.preventDefault(); reveal(p); });
    th.title = p.label; th.appendChild(a); th.appendChild(el("span", "n", fmt(p.size)));
    row.appendChild(th);
    H.outlets.forEach(function (o) {
      var c = p.outlets[o] || 0, td = el("td", "cell", c ? fmt(c) : "");
      td.title = o + " \\u00b7 " + p.label + ": " + plural(c, "paragraph");
      if (c) {
        var f = Math.sqrt(c / H.max);
        td.style.background = shade(f);
        if (f > 0.55) td.classList.add("dark");
      }
      row.appendChild(td);
    });
    body.appendChild(row);
  });
  t.appendChild(body); host.appendChild(t);
  var legend = el("div", "legend"), ramp = el("span", "ramp");
  ramp.style.background = "linear-gradient(90deg," + shade(0.05) + "," + shade(1) + ")";
  legend.appendChild(el("span", null, "1"));
  legend.appendChild(ramp);
  legend.appendChild(el("span", null, fmt(H.max) + " paragraphs"));
  host.appendChild(legend);
})();

function openHash() {
  var id;
  try { id = decodeURIComponent(location.hash.slice(1)); } catch (e) { return; }
  if (byId[id]) reveal(byId[id]);
}
window.addEventListener("hashchange", openHash);
openHash();
})();
"""
