// The search page: one small script, no framework, no network besides this server.
"use strict";

const PAGE = 10;
const DEBOUNCE_MS = 180;
const FIELDS = ["since", "until", "min_votes", "author", "sort"];
const $ = (id) => document.getElementById(id);
const box = $("q");
let offset = 0;
let exact = false; // search the words as typed ("search instead for …"), no correction
let sequence = 0;
let timer = null;

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (key === "text") node.textContent = value;
    else node.setAttribute(key, value);
  }
  for (const child of children) node.append(child);
  return node;
}

function params() {
  const p = new URLSearchParams();
  if (box.value.trim()) p.set("q", box.value);
  if (exact && box.value.trim()) p.set("exact", "1");
  for (const name of FIELDS) {
    const value = $(name).value.trim();
    if (value && !(name === "sort" && value === "relevance")) p.set(name, value);
  }
  return p;
}

function readUrl() {
  const p = new URLSearchParams(location.search);
  box.value = p.get("q") || "";
  exact = p.get("exact") === "1";
  for (const name of FIELDS) $(name).value = p.get(name) || (name === "sort" ? "relevance" : "");
  const page = parseInt(p.get("page") || "1", 10);
  offset = Number.isFinite(page) && page > 1 ? (page - 1) * PAGE : 0;
}

function writeUrl(push) {
  const p = params();
  if (offset) p.set("page", String(offset / PAGE + 1));
  const url = p.toString() ? `?${p}` : location.pathname;
  if (url !== location.search || !p.toString()) history[push ? "pushState" : "replaceState"](null, "", url);
  const feed = `/feed.atom${params().toString() ? "?" + params() : ""}`;
  $("feed").href = feed;
  $("feed-link").href = feed;
}

// The snippet with its matched words in <mark>; highlights count Unicode code points.
function snippet(text, highlights) {
  const chars = Array.from(text);
  const node = el("p", { class: "snippet" });
  let at = 0;
  for (const [start, end] of highlights) {
    node.append(chars.slice(at, start).join(""), el("mark", { text: chars.slice(start, end).join("") }));
    at = end;
  }
  node.append(chars.slice(at).join(""));
  return node;
}

function meta(hit) {
  const votes = hit.votes === null ? "투표 -" : `▲ ${hit.votes}`;
  return el("div", { class: "meta" }, el("span", { text: hit.date }), el("span", { class: "votes", text: votes }),
    el("span", { text: `arXiv ${hit.arxiv_id}` }));
}

function authors(list) {
  const shown = list.slice(0, 6).join(", ");
  return el("div", { class: "authors", text: list.length > 6 ? `${shown} 외 ${list.length - 6}명` : shown });
}

async function toggleRelated(hit, button, holder) {
  const open = button.getAttribute("aria-expanded") === "true";
  button.setAttribute("aria-expanded", String(!open));
  holder.hidden = open;
  if (open || holder.dataset.loaded) return;
  holder.dataset.loaded = "1";
  holder.append(el("li", { text: "…" }));
  try {
    const response = await fetch(`/api/papers/${encodeURIComponent(hit.arxiv_id)}/related?limit=5`);
    const data = await response.json();
    holder.replaceChildren();
    if (!response.ok) throw new Error(data.error);
    if (!data.hits.length) holder.append(el("li", { text: "관련 논문 없음 (none)" }));
    for (const other of data.hits) {
      holder.append(el("li", {}, el("a", { href: other.url, text: other.title }), ` (${other.date})`));
    }
  } catch (error) {
    holder.replaceChildren(el("li", { text: `관련 논문을 불러오지 못했습니다: ${error.message}` }));
  }
}

function render(data) {
  const list = $("results");
  list.replaceChildren();
  for (const hit of data.hits) {
    const related = el("ol", { class: "related", id: `related-${hit.arxiv_id}` });
    related.hidden = true;
    const button = el("button", { type: "button", class: "related-toggle", "aria-expanded": "false",
      "aria-controls": related.id, text: "관련 논문 Related" });
    button.addEventListener("click", () => toggleRelated(hit, button, related));
    list.append(el("li", { class: "hit", "data-id": hit.arxiv_id },
      el("h2", {}, el("a", { href: hit.url || `https://arxiv.org/abs/${hit.arxiv_id}`, text: hit.title })),
      meta(hit), authors(hit.authors), snippet(hit.snippet, hit.highlights), button, related));
  }
  const first = data.total ? offset + 1 : 0;
  const last = offset + data.hits.length;
  let status;
  if (data.query === null) status = `최신 논문 Latest papers — ${data.total}편`;
  else status = `${data.total}편의 논문 ${data.total} papers`;
  if (data.complete !== null && data.complete !== undefined && data.complete < data.total) {
    status += ` (검색어 전체 ${data.complete}편 ${data.complete} match the whole query)`;
  }
  if (data.completed) status += ` · 검색어: “${data.completed}”`;
  if (data.hits.length) status += ` · ${first}–${last}`;
  $("status").textContent = `${status} · ${data.took_ms} ms`;
  $("corrected-line").hidden = !data.corrected;
  if (data.corrected) {
    $("corrected").textContent = data.corrected;
    const typed = $("typed");
    typed.textContent = data.query;
    const p = params();
    p.set("exact", "1");
    typed.href = `?${p}`;
  }
  $("suggestion-line").hidden = !data.suggestion;
  if (data.suggestion) {
    const link = $("suggestion");
    link.textContent = data.suggestion;
    const p = params();
    p.set("q", data.suggestion);
    link.href = `?${p}`;
  }
  $("notice").hidden = !data.notice;
  $("notice").textContent = data.notice || "";
  $("prev").hidden = offset === 0;
  $("next").hidden = last >= data.total;
  $("page-label").textContent = data.total > PAGE ? `${Math.floor(offset / PAGE) + 1} / ${Math.ceil(data.total / PAGE)}` : "";
}

async function run(push = false) {
  clearTimeout(timer);
  writeUrl(push);
  const mine = ++sequence;
  const p = params();
  p.set("limit", String(PAGE));
  p.set("offset", String(offset));
  if (!box.value.endsWith(" ")) p.set("prefix", "1");
  document.body.setAttribute("aria-busy", "true");
  try {
    const response = await fetch(`/api/search?${p}`);
    const data = await response.json();
    if (mine !== sequence) return; // a later request was sent meanwhile
    $("error").hidden = response.ok;
    if (!response.ok) {
      $("error").textContent = data.error;
      return;
    }
    render(data);
  } catch (error) {
    if (mine !== sequence) return;
    $("error").hidden = false;
    $("error").textContent = `검색하지 못했습니다 (${error.message})`;
  } finally {
    if (mine === sequence) document.body.removeAttribute("aria-busy");
  }
}

function later() {
  offset = 0;
  clearTimeout(timer);
  timer = setTimeout(() => run(false), DEBOUNCE_MS);
}

box.addEventListener("input", () => { exact = false; later(); });
for (const name of FIELDS) {
  $(name).addEventListener("change", () => { offset = 0; run(true); });
  if (name !== "sort") $(name).addEventListener("input", later);
}
$("search-form").addEventListener("submit", (event) => { event.preventDefault(); offset = 0; run(true); });
$("prev").addEventListener("click", () => { offset = Math.max(0, offset - PAGE); run(true); window.scrollTo(0, 0); });
$("next").addEventListener("click", () => { offset += PAGE; run(true); window.scrollTo(0, 0); });
$("typed").addEventListener("click", (event) => {
  event.preventDefault();
  exact = true;
  offset = 0;
  run(true);
  box.focus();
});
$("suggestion").addEventListener("click", (event) => {
  event.preventDefault();
  box.value = $("suggestion").textContent;
  exact = false;
  offset = 0;
  run(true);
  box.focus();
});
window.addEventListener("popstate", () => { readUrl(); run(false); });

// Keyboard: "/" jumps to the box; ↓ and ↑ move between result titles and back to the box.
document.addEventListener("keydown", (event) => {
  const typing = ["INPUT", "SELECT", "TEXTAREA"].includes(document.activeElement.tagName);
  if (event.key === "/" && !typing) {
    event.preventDefault();
    box.focus();
    box.select();
    return;
  }
  if (event.key !== "ArrowDown" && event.key !== "ArrowUp") return;
  const links = Array.from(document.querySelectorAll(".hit h2 a"));
  const at = links.indexOf(document.activeElement);
  if (document.activeElement === box && event.key === "ArrowDown" && links.length) {
    event.preventDefault();
    links[0].focus();
  } else if (at >= 0) {
    event.preventDefault();
    const next = at + (event.key === "ArrowDown" ? 1 : -1);
    if (next < 0) box.focus();
    else if (next < links.length) links[next].focus();
  }
});

readUrl();
run(false);
