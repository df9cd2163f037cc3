// The Switchboard console: a business's AI settings, test chat, knowledge base, conversations,
// analytics and integrations, over the administration API of the same base URL (docs/console.md).
// Plain ES module, no build step. Text from the API is always set as text, never as HTML.

const KEY = "switchboard.adminKey";
const view = document.getElementById("view");
const DAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];
const DAY_NAMES = { mon: "Monday", tue: "Tuesday", wed: "Wednesday", thu: "Thursday", fri: "Friday", sat: "Saturday", sun: "Sunday" };
const REASONS = ["low_confidence", "no_results", "user_request", "time_exceeded", "duplicate_problem", "ai_error", "outside_hours"];

// ------------------------------------------------------------------------------------ helpers

function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (name.startsWith("on")) el.addEventListener(name.slice(2), value);
    else if (name === "text") el.textContent = value;
    else if (value === true) el.setAttribute(name, "");
    else el.setAttribute(name, String(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

function svg(tag, attrs = {}, ...children) {
  const el = document.createElementNS("http://www.w3.org/2000/svg", tag);
  for (const [name, value] of Object.entries(attrs)) el.setAttribute(name, String(value));
  for (const child of children.flat()) if (child) el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  return el;
}

function toast(text) {
  const el = document.getElementById("toast");
  el.textContent = text;
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => { el.textContent = ""; }, 4000);
}

class ApiError extends Error {
  constructor(status, body) {
    super(typeof body?.detail === "string" ? body.detail : `HTTP ${status}`);
    this.status = status;
    this.body = body || {};
  }
}

function key() { return sessionStorage.getItem(KEY) || ""; }

async function api(path, { method = "GET", body, auth = key() } = {}) {
  const headers = { Authorization: `Bearer ${auth}` };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  const response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  let data = null;
  try { data = await response.json(); } catch { data = null; }
  if (response.status === 401 && auth === key()) { signOut("Your admin key was refused; sign in again."); }
  if (!response.ok) throw new ApiError(response.status, data);
  return data;
}

function problem(error) {
  if (error instanceof ApiError) return error.message;
  return "The service could not be reached. Try again.";
}

const FIELD_MESSAGES = {
  less_than_equal: "Too large.",
  greater_than_equal: "Too small.",
  string_too_long: "Too long.",
  string_pattern_mismatch: "Not allowed here (letters, digits, '.', '_' and '-').",
  float_parsing: "A number is needed.",
  int_parsing: "A whole number is needed.",
  missing: "Required.",
};

// Show each validation error next to its field: an element #err-<loc with dots as dashes>.
function showFieldErrors(form, error) {
  for (const el of form.querySelectorAll(".field-error")) el.textContent = "";
  const errors = error instanceof ApiError ? error.body.errors || [] : [];
  let first = null;
  for (const item of errors) {
    const loc = String(item.loc).replace(/^body\./, "");
    const target = form.querySelector(`#err-${CSS.escape(loc.replaceAll(".", "-"))}`) || closestError(form, loc);
    if (!target) continue;
    target.textContent = item.message || FIELD_MESSAGES[item.type] || `Invalid (${item.type}).`;
    first = first || target;
  }
  if (first) first.previousElementSibling?.focus?.();
  return errors.length > 0;
}

function closestError(form, loc) {
  const parts = loc.split(".");
  while (parts.length > 1) {
    parts.pop();
    const found = form.querySelector(`#err-${CSS.escape(parts.join("-"))}`);
    if (found) return found;
  }
  return form.querySelector("#err-form");
}

function field(id, label, input, help) {
  input.id = id;
  const error = h("p", { class: "field-error error", id: `err-${id}`, "aria-live": "polite" });
  input.setAttribute("aria-describedby", `err-${id}${help ? ` help-${id}` : ""}`);
  return h("div", { class: "field" },
    h("label", { for: id, text: label }),
    help ? h("p", { class: "help", id: `help-${id}`, text: help }) : null,
    input, error);
}

function copyButton(text, label) {
  return h("button", {
    type: "button", class: "small", "aria-label": `Copy ${label}`,
    onclick: async (event) => {
      try { await navigator.clipboard.writeText(text); } catch { /* the text stays selectable */ }
      event.target.textContent = "Copied";
      setTimeout(() => { event.target.textContent = "Copy"; }, 1500);
    },
  }, "Copy");
}

function copyRow(label, text) {
  return h("div", { class: "copy-row" }, h("span", { class: "copy-label", text: label }),
    h("code", { class: "copy-value", text }), copyButton(text, label));
}

function when(iso) {
  if (!iso) return "";
  const date = new Date(iso);
  return date.toLocaleString(undefined, { dateStyle: "medium", timeStyle: "short" });
}

function isoDay(date) { return date.toISOString().slice(0, 10); }

// --------------------------------------------------------------------------------- sign in/out

function signOut(message) {
  sessionStorage.removeItem(KEY);
  location.hash = "";
  showSignIn(message);
}

function showSignIn(message = "") {
  document.getElementById("nav").hidden = true;
  document.getElementById("signout").hidden = true;
  view.replaceChildren(signInCard());
  document.getElementById("signin-error").textContent = message;
  document.getElementById("admin-key").focus();
}

let signInTemplate = null;
function signInCard() { return signInTemplate.cloneNode(true); }

async function signIn(event) {
  event.preventDefault();
  const input = document.getElementById("admin-key");
  const error = document.getElementById("signin-error");
  const candidate = input.value.trim();
  if (!candidate) { error.textContent = "Enter your admin key."; return; }
  try {
    await api("/api/v1/ai/config/", { auth: candidate });
  } catch (e) {
    error.textContent = e instanceof ApiError && (e.status === 401 || e.status === 403)
      ? (e.status === 403 ? "That is a chat key; the console needs an admin key." : "That key is not known.")
      : problem(e);
    return;
  }
  sessionStorage.setItem(KEY, candidate);
  if (!location.hash || location.hash === "#/") location.hash = "#/settings";
  route();
}

// ------------------------------------------------------------------------------------ settings

function hoursText(ranges) { return (ranges || []).join(", "); }

async function settingsView() {
  const [config, handler] = await Promise.all([api("/api/v1/ai/config/"), api("/api/v1/ai/default-handler/")]);
  const hours = config.business_hours;
  const text = (id, value, rows = 4) => h("textarea", { rows, name: id }, value || "");
  const num = (value, step, min, max) => h("input", { type: "number", step, min, max, value });
  const form = h("form", { id: "settings-form", novalidate: true, class: "card" },
    h("h1", { text: "AI settings" }),
    h("p", { id: "err-form", class: "error field-error", role: "alert" }),
    field("manual_prompt", "AI instructions", text("manual_prompt", config.manual_prompt, 8),
      "How the AI should behave: tone, what to do and not to do. Kommo's Salesbot uses these too."),
    field("knowledge_source", "Company information", text("knowledge_source", config.knowledge_source)),
    field("product_service", "Products and services", text("product_service", config.product_service)),
    field("question_answer", "Questions and answers", text("question_answer", config.question_answer)),
    h("div", { class: "grid" },
      field("model_name", "Model", h("input", { type: "text", value: config.model_name, spellcheck: "false" })),
      field("temperature", "Temperature (0–2)", num(config.temperature, "0.1", "0", "2")),
      field("max_tokens", "Longest answer (tokens)", num(config.max_tokens, "1", "64", "65536")),
      field("escalation_threshold", "Hand over below confidence (0–1)", num(config.escalation_threshold, "0.05", "0", "1"))),
    h("div", { class: "grid" },
      h("div", { class: "field check" },
        h("input", { type: "checkbox", id: "auto_response_enabled", checked: config.auto_response_enabled }),
        h("label", { for: "auto_response_enabled", text: "The AI answers customers (auto-response)" }),
        h("p", { class: "field-error error", id: "err-auto_response_enabled" })),
      field("default_handler", "New conversations start with",
        h("select", {}, h("option", { value: "AI", selected: handler.default_handler === "AI" }, "The AI"),
          h("option", { value: "Manual", selected: handler.default_handler === "Manual" }, "People (manual)")))),
    hoursFieldset(hours),
    h("div", { class: "actions" }, h("button", { type: "submit", text: "Save" }), h("span", { id: "saved", role: "status" })));
  form.addEventListener("submit", (event) => saveSettings(event, form));
  return form;
}

function hoursFieldset(hours) {
  const on = Boolean(hours);
  const rows = DAYS.map((day) => h("div", { class: "day" },
    h("label", { for: `hours-${day}`, text: DAY_NAMES[day] }),
    h("input", { id: `hours-${day}`, type: "text", placeholder: "closed", value: hoursText(hours?.schedule?.[day]),
      "aria-describedby": `err-business_hours-schedule-${day}` }),
    h("p", { class: "field-error error", id: `err-business_hours-schedule-${day}` })));
  const zone = h("input", { type: "text", value: hours?.timezone || Intl.DateTimeFormat().resolvedOptions().timeZone, list: "zones", spellcheck: "false" });
  const zones = h("datalist", { id: "zones" }, ...(Intl.supportedValuesOf ? Intl.supportedValuesOf("timeZone") : []).map((z) => h("option", { value: z })));
  const outside = h("select", {}, h("option", { value: "silent", selected: hours?.outside !== "message" }, "Stay silent; people answer later"),
    h("option", { value: "message", selected: hours?.outside === "message" }, "Answer with the message below"));
  const toggle = h("input", { type: "checkbox", id: "hours-on", checked: on });
  const body = h("div", { id: "hours-body", class: "hours", hidden: !on },
    h("div", { class: "grid" }, field("business_hours-timezone", "Time zone", zone), field("business_hours-outside", "Outside business hours", outside)),
    zones,
    h("p", { class: "help", text: "Ranges per day as HH:MM-HH:MM, separated by commas (09:00-12:00, 13:00-17:00). An empty day is closed." }),
    h("div", { class: "days" }, rows),
    h("p", { class: "field-error error", id: "err-business_hours-schedule" }),
    field("business_hours-message", "Out-of-hours message", h("textarea", { rows: 2 }, hours?.message || "")),
    h("p", { class: "field-error error", id: "err-business_hours" }));
  toggle.addEventListener("change", () => { body.hidden = !toggle.checked; });
  return h("fieldset", { class: "hours-set" }, h("legend", { text: "Business hours" }),
    h("div", { class: "field check" }, toggle, h("label", { for: "hours-on", text: "Answer only during business hours" })), body);
}

function readHours(form) {
  if (!form.querySelector("#hours-on").checked) return null;
  const schedule = {};
  for (const day of DAYS) {
    const ranges = form.querySelector(`#hours-${day}`).value.split(",").map((s) => s.trim().replace(/\s*-\s*/, "-")).filter(Boolean);
    if (ranges.length) schedule[day] = ranges;
  }
  return {
    timezone: form.querySelector("#business_hours-timezone").value.trim(),
    schedule,
    outside: form.querySelector("#business_hours-outside").value,
    message: form.querySelector("#business_hours-message").value,
  };
}

async function saveSettings(event, form) {
  event.preventDefault();
  const value = (id) => form.querySelector(`#${id}`).value;
  const number = (id) => (value(id).trim() === "" ? null : Number(value(id)));
  const change = {
    manual_prompt: value("manual_prompt"),
    knowledge_source: value("knowledge_source"),
    product_service: value("product_service"),
    question_answer: value("question_answer"),
    model_name: value("model_name").trim() || null,
    temperature: number("temperature"),
    max_tokens: number("max_tokens"),
    escalation_threshold: number("escalation_threshold"),
    auto_response_enabled: form.querySelector("#auto_response_enabled").checked,
    business_hours: readHours(form),
  };
  const saved = form.querySelector("#saved");
  saved.textContent = "Saving…";
  showFieldErrors(form, null);
  try {
    await api("/api/v1/ai/config/", { method: "PUT", body: change });
    await api("/api/v1/ai/default-handler/", { method: "PUT", body: { default_handler: value("default_handler") } });
    saved.textContent = "Saved";
    toast("Settings saved: the next answer follows them.");
  } catch (e) {
    saved.textContent = "Not saved";
    if (!showFieldErrors(form, e)) form.querySelector("#err-form").textContent = problem(e);
  }
}

// ----------------------------------------------------------------------------------- test chat

const chatState = { session: null };

function chatView() {
  const log = h("ol", { id: "chat-log", class: "chat-log", "aria-live": "polite", "aria-label": "Test conversation" });
  const input = h("textarea", { id: "chat-input", rows: 2, placeholder: "Ask what a customer would ask…" });
  const send = h("button", { type: "submit", text: "Send" });
  const form = h("form", { id: "chat-form", class: "chat-form" },
    h("label", { for: "chat-input", class: "visually-hidden", text: "Message" }), input, send);
  input.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey) { event.preventDefault(); form.requestSubmit(); }
  });
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const message = input.value.trim();
    if (!message) return;
    input.value = "";
    log.append(h("li", { class: "msg user" }, h("p", { text: message })));
    const waiting = h("li", { class: "msg bot pending", role: "status" }, h("span", { class: "spinner", "aria-hidden": "true" }), "Thinking…");
    log.append(waiting);
    send.disabled = true;
    try {
      const body = { message, user_info: { agent_id: "console", email: "console@example.com", name: "Console test", agency: "Console", office: "Console" } };
      if (chatState.session) body.session_id = chatState.session;
      const answer = await api("/api/agent/test/", { method: "POST", body });
      chatState.session = answer.session_id;
      waiting.replaceWith(answerItem(answer));
    } catch (e) {
      waiting.replaceWith(h("li", { class: "msg bot error-msg" }, h("p", { text: problem(e) })));
    } finally {
      send.disabled = false;
      input.focus();
    }
  });
  const reset = h("button", { type: "button", class: "link", text: "New conversation",
    onclick: () => { chatState.session = null; log.replaceChildren(); input.focus(); } });
  return h("section", { class: "card" }, h("h1", { text: "Test chat" }),
    h("p", { text: "Talk to your AI as a customer would. Each answer shows its confidence, the articles it used and how long each step took." }),
    log, form, reset);
}

function answerItem(answer) {
  const pct = Math.round(answer.classification_confidence * 100);
  const timings = Object.entries(answer.debug?.timings_ms || {}).map(([name, ms]) => `${name.replace(/_ms$/, "")} ${ms} ms`).join(" · ");
  return h("li", { class: "msg bot" },
    h("p", { class: "answer", text: answer.response }),
    h("p", { class: "meta" },
      h("span", { class: `badge ${answer.requires_escalation ? "warn" : "ok"}`, text: answer.requires_escalation ? `Hands over (${answer.debug?.escalation_reason || "escalation"})` : "Answered" }),
      h("span", { class: "confidence", text: `Confidence ${pct}%` }),
      h("meter", { min: 0, max: 100, value: pct, "aria-label": "Confidence" })),
    answer.sources?.length ? h("ul", { class: "sources", "aria-label": "Sources" },
      answer.sources.map((s) => h("li", { text: `${s.title} (${s.entry_id}, ${Math.round(s.confidence * 100)}%)` }))) : null,
    timings ? h("p", { class: "timings", text: `Timings: ${timings}` }) : null);
}

// ------------------------------------------------------------------------------ knowledge base

async function kbView() {
  const [status, listed] = await Promise.all([api("/api/v1/ai/kb/"), api("/api/v1/ai/kb/articles/")]);
  const files = h("input", { type: "file", id: "kb-files", multiple: true, accept: ".jsonl,.ndjson,.md,.markdown" });
  const replace = h("input", { type: "checkbox", id: "kb-replace" });
  const progress = h("progress", { id: "kb-progress", max: 100, value: 0, hidden: true, "aria-label": "Upload progress" });
  const result = h("p", { id: "kb-result", role: "status" });
  const error = h("p", { id: "kb-error", class: "error", role: "alert" });
  const form = h("form", { id: "kb-form" },
    h("label", { for: "kb-files", text: "Files: JSONL (one article per line: id, title, body, url, tags, entry_type) or Markdown (one article each)" }),
    files,
    h("div", { class: "field check" }, replace, h("label", { for: "kb-replace", text: "Replace: drop the articles these files do not hold" })),
    h("button", { type: "submit", text: "Upload" }), progress, result, error);
  form.addEventListener("submit", (event) => upload(event, files, replace, progress, result, error));
  return h("section", { class: "card" },
    h("h1", { text: "Knowledge base" }),
    h("p", { id: "kb-status", text: status.version ? `Version ${status.version} is live: ${status.articles} articles.` : "No knowledge base yet." }),
    form,
    h("h2", { id: "kb-count", text: `Articles (${listed.count})` }),
    h("div", { id: "kb-table" }, articlesTable(listed.articles)));
}

function articlesTable(articles) {
  if (!articles.length) return h("p", { text: "None yet." });
  return h("div", { class: "table-wrap" }, h("table", { id: "kb-articles" },
    h("thead", {}, h("tr", {}, h("th", { scope: "col", text: "Id" }), h("th", { scope: "col", text: "Title" }), h("th", { scope: "col", text: "Type" }), h("th", { scope: "col", text: "Characters" }))),
    h("tbody", {}, articles.map((a) => h("tr", {}, h("td", {}, h("code", { text: a.id })),
      h("td", {}, a.url ? h("a", { href: a.url, target: "_blank", rel: "noopener noreferrer", text: a.title }) : a.title),
      h("td", { text: a.entry_type }), h("td", { class: "num", text: a.characters }))))));
}

async function refreshArticles(imported) {
  document.getElementById("kb-status").textContent = `Version ${imported.version} is live: ${imported.articles} articles.`;
  try {
    const listed = await api("/api/v1/ai/kb/articles/");
    document.getElementById("kb-count").textContent = `Articles (${listed.count})`;
    document.getElementById("kb-table").replaceChildren(articlesTable(listed.articles));
  } catch (e) { toast(problem(e)); }
}

async function upload(event, files, replace, progress, result, error) {
  event.preventDefault();
  error.textContent = "";
  result.textContent = "";
  if (!files.files.length) { error.textContent = "Choose one or more .jsonl or .md files."; return; }
  const read = await Promise.all([...files.files].map(async (f) => ({ name: f.name, content: await f.text() })));
  const body = JSON.stringify({ files: read, replace: replace.checked });
  progress.hidden = false;
  progress.value = 0;
  const button = event.target.querySelector("button[type=submit]");
  button.disabled = true; // one import at a time
  const xhr = new XMLHttpRequest();
  xhr.addEventListener("loadend", () => { button.disabled = false; });
  xhr.open("POST", "/api/v1/ai/kb/import/");
  xhr.setRequestHeader("Authorization", `Bearer ${key()}`);
  xhr.setRequestHeader("Content-Type", "application/json");
  xhr.upload.addEventListener("progress", (e) => { if (e.lengthComputable) progress.value = Math.round((e.loaded / e.total) * 90); });
  xhr.upload.addEventListener("load", () => { progress.value = 90; result.textContent = "Uploaded; building the new version…"; });
  xhr.addEventListener("load", () => {
    let data = {};
    try { data = JSON.parse(xhr.responseText); } catch { data = {}; }
    if (xhr.status === 401) { signOut("Your admin key was refused; sign in again."); return; }
    if (xhr.status === 200) {
      progress.value = 100;
      result.textContent = `Version ${data.version} is live: ${data.articles} articles (${data.imported} from these files).`;
      toast("Knowledge base updated.");
      refreshArticles(data);
    } else {
      progress.value = 0;
      const where = (data.errors || []).slice(0, 5).map((e) => `${e.loc} (${e.type})`).join("; ");
      error.textContent = `Not imported: ${typeof data.detail === "string" ? data.detail : `HTTP ${xhr.status}`}${where ? ` — ${where}` : ""}. The previous version keeps serving.`;
    }
  });
  xhr.addEventListener("error", () => { error.textContent = "The upload failed; the previous version keeps serving."; });
  xhr.send(body);
}

// ------------------------------------------------------------------------------- conversations

const STATUS_LABEL = { active: "AI", support_active: "People" };

async function conversationsView(filter = "") {
  const query = new URLSearchParams({ page_size: "50" });
  if (filter) query.set("status", filter);
  const listed = await api(`/api/v1/ai/sessions/?${query}`);
  const select = h("select", { id: "conv-filter" },
    h("option", { value: "", selected: !filter }, "All"),
    h("option", { value: "active", selected: filter === "active" }, "AI answers"),
    h("option", { value: "support_active", selected: filter === "support_active" }, "People answer"));
  select.addEventListener("change", () => go(() => conversationsView(select.value)));
  const rows = listed.results.map((s) => h("tr", {},
    h("td", {}, h("input", { type: "checkbox", class: "pick", value: s.session_id, "aria-label": `Select ${s.session_id}` })),
    h("td", {}, h("button", { type: "button", class: "link open", text: s.customer_name || s.customer_id, onclick: () => go(() => sessionView(s.session_id)) })),
    h("td", { text: s.channel }),
    h("td", {}, h("span", { class: `badge ${s.status === "active" ? "ok" : "warn"}`, text: STATUS_LABEL[s.status] })),
    h("td", { text: s.is_active ? "" : "idle" }),
    h("td", { text: when(s.updated_at) })));
  const bulk = (status) => async () => {
    const ids = [...document.querySelectorAll(".pick:checked")].map((c) => c.value);
    if (!ids.length) { toast("Select one or more conversations first."); return; }
    try {
      const done = await api("/api/v1/ai/conversations/bulk-status/", { method: "PUT", body: { conversation_ids: ids, status } });
      toast(`${done.updated.length} conversation(s) now answered by ${STATUS_LABEL[status] === "AI" ? "the AI" : "people"}.`);
    } catch (e) { toast(problem(e)); return; }
    go(() => conversationsView(filter));
  };
  return h("section", { class: "card" },
    h("h1", { text: "Conversations" }),
    h("div", { class: "toolbar" },
      h("label", { for: "conv-filter", text: "Show" }), select,
      h("button", { type: "button", id: "to-people", text: "Hand selected to people", onclick: bulk("support_active") }),
      h("button", { type: "button", id: "to-ai", class: "secondary", text: "Give selected to the AI", onclick: bulk("active") })),
    rows.length ? h("div", { class: "table-wrap" }, h("table", { id: "conversations" },
      h("thead", {}, h("tr", {}, h("th", { scope: "col" }, h("span", { class: "visually-hidden", text: "Select" })),
        ...["Customer", "Channel", "Answered by", "", "Last activity"].map((t) => h("th", { scope: "col", text: t })))),
      h("tbody", {}, rows))) : h("p", { text: "No conversations yet." }));
}

async function sessionView(id) {
  const s = await api(`/api/v1/ai/sessions/${encodeURIComponent(id)}/?page_size=200`);
  const flip = h("button", {
    type: "button", id: "flip-status",
    text: s.status === "active" ? "Hand to people" : "Give back to the AI",
    onclick: async () => {
      try {
        await api(`/api/v1/ai/conversations/${encodeURIComponent(id)}/status/`, { method: "PUT", body: { status: s.status === "active" ? "support_active" : "active" } });
      } catch (e) { toast(problem(e)); return; }
      go(() => sessionView(id));
    },
  });
  return h("section", { class: "card" },
    h("button", { type: "button", class: "link", text: "← All conversations", onclick: () => go(() => conversationsView()) }),
    h("h1", { text: s.customer_name || s.customer_id }),
    h("p", {}, `${s.channel} · `, h("span", { id: "session-status", class: `badge ${s.status === "active" ? "ok" : "warn"}`, text: s.status === "active" ? "AI answers" : "People answer" }), " ", flip),
    h("ol", { class: "chat-log", "aria-label": "Messages" }, s.messages.map((m) => h("li", { class: `msg ${m.sender === "customer" ? "user" : "bot"}` },
      h("p", { class: "who", text: `${m.sender === "ai" ? "AI" : m.sender === "staff" ? "Staff" : "Customer"} · ${when(m.at)}` }),
      h("p", { text: m.content }),
      m.sender === "ai" && m.confidence !== null ? h("p", { class: "meta", text: `Confidence ${Math.round(m.confidence * 100)}%${m.requires_escalation ? ` · handed over (${m.escalation_reason})` : ""}` }) : null))));
}

// ----------------------------------------------------------------------------------- analytics

async function analyticsView(from, to) {
  const today = new Date();
  to = to || isoDay(today);
  from = from || isoDay(new Date(today.getTime() - 13 * 86400000));
  const days = Math.max(1, Math.round((Date.parse(to) - Date.parse(from)) / 86400000) + 1);
  const [rollups, usage] = await Promise.all([
    api(`/api/v1/ai/analytics/?from=${from}&to=${to}`),
    api(`/api/v1/ai/usage/stats/?days=${Math.min(366, Math.max(1, Math.round((Date.parse(isoDay(today)) - Date.parse(from)) / 86400000) + 1))}`),
  ]);
  const dates = [];
  for (let i = 0; i < days; i += 1) dates.push(isoDay(new Date(Date.parse(from) + i * 86400000)));
  const byDay = Object.fromEntries(rollups.days.map((d) => [d.date, d]));
  const series = (name) => dates.map((d) => byDay[d]?.[name] ?? 0);
  const fromInput = h("input", { type: "date", id: "from", value: from });
  const toInput = h("input", { type: "date", id: "to", value: to });
  const form = h("form", { class: "toolbar", id: "range" },
    h("label", { for: "from", text: "From" }), fromInput, h("label", { for: "to", text: "To" }), toInput,
    h("button", { type: "submit", text: "Show" }));
  form.addEventListener("submit", (event) => { event.preventDefault(); go(() => analyticsView(fromInput.value, toInput.value)); });
  const totals = (name) => series(name).reduce((a, b) => a + b, 0);
  const answered = totals("answered_conversations");
  const resolvedShare = answered ? Math.round((totals("resolved_without_human") / answered) * 100) : null;
  const usageDays = Object.fromEntries(usage.per_day.map((d) => [d.date, d]));
  return h("section", { class: "card" },
    h("h1", { text: "Analytics" }), form,
    rollups.count ? null : h("p", { text: "No rollups in this range yet: they are written daily for the day before (switchboard analytics run)." }),
    h("div", { class: "stats" },
      stat("Conversations", totals("conversations")), stat("AI replies", totals("ai_replies")),
      stat("Escalations", totals("escalations")), stat("Resolved without a human", resolvedShare === null ? "–" : `${resolvedShare}%`),
      stat("Helpful / unhelpful", `${totals("feedback_helpful")} / ${totals("feedback_unhelpful")}`),
      stat("Estimated cost", `$${series("estimated_cost").reduce((a, b) => a + b, 0).toFixed(4)}`)),
    chart("chart-conversations", "Conversations and AI replies per day", dates, [["Conversations", series("conversations")], ["AI replies", series("ai_replies")]]),
    chart("chart-escalations", "Escalations by reason", dates, REASONS.map((r) => [r.replaceAll("_", " "), dates.map((d) => byDay[d]?.escalations_by_reason?.[r] ?? 0)]).filter(([, v]) => v.some(Boolean)), true),
    chart("chart-resolved", "Resolved without a human (conversations)", dates, [["Resolved", series("resolved_without_human")], ["Answered", series("answered_conversations")]]),
    chart("chart-feedback", "Feedback", dates, [["Helpful", series("feedback_helpful")], ["Unhelpful", series("feedback_unhelpful")]]),
    chart("chart-usage", "Requests per day (usage)", dates, [["Requests", dates.map((d) => usageDays[d]?.requests ?? 0)]]),
    chart("chart-cost", "Estimated cost per day ($)", dates, [["Cost", series("estimated_cost")]]));
}

function stat(label, value) {
  return h("div", { class: "stat" }, h("span", { class: "stat-value", text: value }), h("span", { class: "stat-label", text: label }));
}

const COLORS = ["#1f5fbf", "#c2410c", "#15803d", "#7e22ce", "#b45309", "#0e7490", "#be123c"];

// A bar chart (grouped, or stacked) in SVG with a table of the same numbers for screen readers.
function chart(id, title, dates, series, stacked = false) {
  const width = 720;
  const height = 200;
  const pad = { left: 40, bottom: 28, top: 10 };
  const sums = dates.map((_, i) => series.reduce((acc, [, values]) => acc + (stacked ? values[i] : 0), 0));
  const max = Math.max(1, ...(stacked ? sums : series.flatMap(([, v]) => v)));
  const slot = (width - pad.left) / Math.max(1, dates.length);
  const bar = stacked ? slot * 0.7 : (slot * 0.8) / Math.max(1, series.length);
  const scale = (v) => ((height - pad.bottom - pad.top) * v) / max;
  const graph = svg("svg", { viewBox: `0 0 ${width} ${height}`, role: "img", "aria-labelledby": `${id}-title`, class: "chart", id });
  graph.append(svg("title", { id: `${id}-title` }, title));
  graph.append(svg("line", { x1: pad.left, y1: height - pad.bottom, x2: width, y2: height - pad.bottom, stroke: "#6b7280" }));
  graph.append(svg("text", { x: pad.left - 6, y: pad.top + 8, "text-anchor": "end", class: "axis" }, String(Number(max.toFixed(4)))));
  dates.forEach((date, i) => {
    let base = height - pad.bottom;
    series.forEach(([, values], s) => {
      const v = values[i] || 0;
      const barHeight = scale(v);
      const x = pad.left + i * slot + (stacked ? slot * 0.15 : slot * 0.1 + s * bar);
      const y = stacked ? base - barHeight : height - pad.bottom - barHeight;
      if (v) graph.append(svg("rect", { x, y, width: Math.max(1, bar - 1), height: barHeight, fill: COLORS[s % COLORS.length], class: "bar" }, svg("title", {}, `${date} ${series[s][0]}: ${v}`)));
      if (stacked) base -= barHeight;
    });
    if (dates.length <= 16 || i % Math.ceil(dates.length / 16) === 0) {
      graph.append(svg("text", { x: pad.left + i * slot + slot / 2, y: height - 10, "text-anchor": "middle", class: "axis" }, date.slice(5)));
    }
  });
  const legend = h("ul", { class: "legend" }, series.map(([name], s) => h("li", {}, h("span", { class: "swatch", "data-color": s }), name)));
  for (const sw of legend.querySelectorAll(".swatch")) sw.style.background = COLORS[Number(sw.dataset.color) % COLORS.length];
  const table = h("table", { class: "visually-hidden" }, h("caption", { text: title }),
    h("tr", {}, h("th", { text: "Date" }), series.map(([name]) => h("th", { text: name }))),
    dates.map((d, i) => h("tr", {}, h("td", { text: d }), series.map(([, v]) => h("td", { text: v[i] })))));
  return h("figure", { class: "chart-box" }, h("figcaption", { text: title }), series.length ? graph : h("p", { text: "Nothing in this range." }), legend, table);
}

// -------------------------------------------------------------------------------- integrations

async function integrationsView() {
  const info = await api("/api/v1/ai/integrations/");
  const keyOut = h("div", { id: "new-key", "aria-live": "polite" });
  const makeChatKey = async () => {
    try {
      const made = await api("/api/v1/ai/keys/", { method: "POST", body: { kind: "chat" } });
      const snippet = `<script src="${info.widget.script_url}" data-key="${made.key}" data-title="Support" defer></script>`;
      keyOut.replaceChildren(h("p", { class: "warn-text", text: "Shown once: copy it now. It is stored hashed." }),
        copyRow("Chat API key", made.key), copyRow("Widget snippet", snippet));
    } catch (e) { toast(problem(e)); }
  };
  const account = h("input", { type: "number", min: 1, id: "kommo-account" });
  const subdomain = h("input", { type: "text", id: "kommo-subdomain", placeholder: "acme", spellcheck: "false" });
  const kommoOut = h("div", { id: "kommo-out", "aria-live": "polite" });
  const kommoForm = h("form", { id: "kommo-form", novalidate: true },
    h("div", { class: "grid" }, field("kommo_account_id", "Kommo account id", account), field("kommo_subdomain", "Kommo subdomain", subdomain)),
    h("p", { class: "error field-error", id: "err-form" }),
    h("button", { type: "submit", text: info.kommo.connected ? "Reconnect (replaces the webhook URL)" : "Connect Kommo" }), kommoOut);
  kommoForm.addEventListener("submit", async (event) => {
    event.preventDefault();
    showFieldErrors(kommoForm, null);
    try {
      const made = await api("/api/v1/ai/keys/", { method: "POST", body: { kind: "kommo", kommo_account_id: Number(account.value) || null, kommo_subdomain: subdomain.value.trim().toLowerCase() || null } });
      kommoOut.replaceChildren(h("p", { class: "warn-text", text: "Paste this URL into your Kommo integration's webhook settings. Shown once." }), copyRow("Kommo webhook URL", made.webhook_url));
    } catch (e) { if (!showFieldErrors(kommoForm, e)) kommoForm.querySelector("#err-form").textContent = problem(e); }
  });
  const email = h("input", { type: "email", id: "sso-email", autocomplete: "email" });
  const name = h("input", { type: "text", id: "sso-name", autocomplete: "name" });
  const ssoOut = h("div", { id: "sso-out", "aria-live": "polite" });
  const ssoForm = h("form", { id: "sso-form", novalidate: true },
    h("div", { class: "grid" }, field("sso_email", "Your email", email), field("sso_name", "Your name", name)),
    h("button", { type: "submit", text: "Open the support desk" }), ssoOut);
  ssoForm.addEventListener("submit", async (event) => {
    event.preventDefault();
    try {
      const params = new URLSearchParams({ email: email.value.trim(), name: name.value.trim() });
      const link = await api(`/api/support/sso?${params}`);
      window.open(link.url, "_blank", "noopener");
      ssoOut.replaceChildren(h("p", {}, "Signed in to Chatwoot in a new tab. If it did not open: ", h("a", { href: link.url, target: "_blank", rel: "noopener noreferrer", text: "open the desk" }), " (the link works once)."));
    } catch (e) { ssoOut.replaceChildren(h("p", { class: "error", role: "alert", text: problem(e) })); }
  });
  const yes = (on) => (on ? "configured" : "not configured on this deployment");
  return h("section", { class: "card" },
    h("h1", { text: "Integrations" }),
    h("h2", { text: "CRM and chat widget" }),
    copyRow("Chat API", info.crm.chat_url), copyRow("Escalations", info.crm.failure_url), copyRow("Feedback", info.crm.feedback_url),
    copyRow("Widget script", info.widget.script_url),
    h("p", {}, "Try the widget on ", h("a", { href: info.widget.demo_url, target: "_blank", rel: "noopener noreferrer", text: "the demo page" }), "."),
    h("button", { type: "button", id: "make-chat-key", text: "Make a chat key and widget snippet", onclick: makeChatKey }), keyOut,
    h("h2", { text: "Kommo" }),
    h("p", { text: info.kommo.connected ? `Connected to account ${info.kommo.account_id} (${info.kommo.subdomain}.kommo.com).` : "Not connected." }),
    kommoForm,
    h("h2", { text: "Chatwoot" }),
    copyRow("Agent bot URL", info.chatwoot.bot_url), h("p", { class: "help", text: `Agent bot: ${yes(info.chatwoot.bot_configured)}.` }),
    copyRow("Desk webhook URL", info.chatwoot.webhook_url), h("p", { class: "help", text: `Escalation desk: ${yes(info.chatwoot.desk_configured)}. The webhook's secret is your deployment's CHATWOOT_WEBHOOK_SECRET.` }),
    h("h3", { text: "Support desk sign-in" }),
    info.chatwoot.sso_configured ? ssoForm : h("p", { text: "Single sign-on into Chatwoot is not configured on this deployment (CHATWOOT_PLATFORM_TOKEN)." }),
    h("h2", { text: "Tickets and alerts" }),
    h("p", { text: `Freshdesk: ${yes(info.freshdesk_configured)} · Confirmation email: ${yes(info.email_configured)} · Teams alerts: ${yes(info.teams_configured)}` }));
}

// -------------------------------------------------------------------------------------- router

const VIEWS = { settings: settingsView, chat: chatView, kb: kbView, conversations: () => conversationsView(), analytics: () => analyticsView(), integrations: integrationsView };

function show(node) {
  view.replaceChildren(node);
}

// Render a view built by `build`, or say why it could not be (never a silent failure).
async function go(build) {
  try {
    show(await build());
  } catch (e) {
    toast(problem(e));
  }
}

async function route() {
  if (!key()) { showSignIn(); return; }
  document.getElementById("nav").hidden = false;
  document.getElementById("signout").hidden = false;
  const name = (location.hash.match(/^#\/(\w+)/) || [])[1] || "settings";
  for (const link of document.querySelectorAll("#nav a")) {
    if (link.dataset.view === name) link.setAttribute("aria-current", "page");
    else link.removeAttribute("aria-current");
  }
  show(h("p", { class: "loading", role: "status", text: "Loading…" }));
  try {
    show(await (VIEWS[name] || VIEWS.settings)());
    view.focus({ preventScroll: true });
  } catch (e) {
    if (key()) show(h("section", { class: "card" }, h("p", { class: "error", role: "alert", text: problem(e) })));
  }
}

function start() {
  signInTemplate = document.getElementById("signin").cloneNode(true);
  view.addEventListener("submit", (event) => { if (event.target.id === "signin-form") signIn(event); });
  document.getElementById("signout").addEventListener("click", () => signOut(""));
  window.addEventListener("hashchange", route);
  route();
}

start();
