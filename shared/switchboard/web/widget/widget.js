/* Switchboard chat widget: one script tag on any page (docs/widget.md).
 *
 *   <script src="https://BASE/widget/widget.js" data-key="sb_..." data-title="Acme support"
 *           data-user-id="u1" data-user-email="jane@example.com" data-user-name="Jane Smith"
 *           data-user-agency="Sales" data-user-office="Cape Town" defer></script>
 *
 * Plain JavaScript, no dependencies, no build step. It renders a launcher button and a chat panel
 * inside a Shadow DOM root and speaks the CRM chat API (docs/contracts/crm-chat-api.md) of the
 * origin it was loaded from. Text from the API is only ever set with textContent.
 */
(() => {
  "use strict";

  if (window.SwitchboardWidget && window.SwitchboardWidget.version) return; // loaded twice

  const VERSION = "1";
  const EMAIL = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;
  const MAX_CHARS = 4000; // the API's default MAX_MESSAGE_CHARS
  const TIMEOUT_MS = 90000;
  const POLL_SECONDS = 3; // a queued ticket (202) is asked about again this often...
  const POLL_TIMES = 10; // ...at most this many times
  const LOW_CONFIDENCE = 0.5; // below: escalation_reason "low_confidence", else "user_request"
  const DEFAULT_PLACE = "Website"; // user_info.agency / office when the page gives none

  const script = document.currentScript || [...document.querySelectorAll('script[src*="widget.js"]')].pop();
  const data = (script && script.dataset) || {};
  const KEY = (data.key || "").trim();
  const BASE = script && script.src ? new URL(script.src, document.baseURI).origin : "";
  const TITLE = (data.title || "").trim().slice(0, 80) || "Support";
  const WELCOME = (data.welcome || "").trim() || "Hi! Ask me a question and I'll look through our help articles.";

  // ---- identity -----------------------------------------------------------------------------
  const visitorId = "web-" + randomHex(12); // for pages that do not say who the user is
  const user = { agent_id: "", email: "", name: "", agency: "", office: "" };
  applyUser({
    agent_id: data.userId,
    email: data.userEmail,
    name: data.userName,
    agency: data.userAgency,
    office: data.userOffice,
  });

  function applyUser(input) {
    const before = agentId();
    const given = {
      agent_id: input.agent_id !== undefined ? input.agent_id : input.id,
      email: input.email,
      name: input.name,
      agency: input.agency,
      office: input.office,
    };
    for (const [field, value] of Object.entries(given)) {
      if (value !== undefined && value !== null) user[field] = String(value).trim().slice(0, field === "email" ? 320 : 200);
    }
    return before !== agentId();
  }
  function agentId() {
    return user.agent_id || visitorId;
  }
  function identified() {
    return user.name.length > 0 && EMAIL.test(user.email);
  }
  function userInfo() {
    return {
      agent_id: agentId(),
      email: user.email,
      name: user.name,
      agency: user.agency || DEFAULT_PLACE,
      office: user.office || DEFAULT_PLACE,
    };
  }

  // ---- state --------------------------------------------------------------------------------
  const state = {
    mounted: false,
    open: false,
    wantOpen: false,
    busy: false,
    refocus: false,
    blockedUntil: 0,
    tick: 0,
    sessionId: null, // kept in memory for the page's life, never in storage
    history: [], // {role, content, timestamp}: sent with create-ticket
    generation: 0, // bumped when the user changes: late answers of the old conversation are dropped
  };
  let host, root, launcher, panel, closeButton, log, status, notice, noticeText;
  let intro, nameInput, emailInput, introError, composer, input, sendButton;
  let ids = 0;
  const uid = (prefix) => `sb-${prefix}-${++ids}`;

  // ---- public API ---------------------------------------------------------------------------
  window.SwitchboardWidget = Object.freeze({
    version: VERSION,
    open: () => open(),
    close: () => close(),
    identify: (who) => identify(who),
  });

  function identify(who) {
    if (!who || typeof who !== "object") return;
    if (applyUser(who)) resetConversation();
    if (state.mounted) showView();
  }

  function open() {
    if (!state.mounted) {
      state.wantOpen = true;
      return;
    }
    state.open = true;
    panel.hidden = false;
    launcher.setAttribute("aria-expanded", "true");
    log.scrollTop = log.scrollHeight;
    focusFirst();
  }

  function close() {
    if (!state.mounted) {
      state.wantOpen = false;
      return;
    }
    const inside = root.activeElement && panel.contains(root.activeElement);
    state.open = false;
    panel.hidden = true;
    launcher.setAttribute("aria-expanded", "false");
    if (inside) launcher.focus();
  }

  // ---- DOM ----------------------------------------------------------------------------------
  function h(tag, props, ...children) {
    const el = document.createElement(tag);
    for (const [name, value] of Object.entries(props || {})) {
      if (value === undefined || value === null || value === false) continue;
      if (name === "text") el.textContent = value;
      else if (name === "class") el.className = value;
      else if (name.startsWith("on")) el.addEventListener(name.slice(2), value);
      else el.setAttribute(name, value === true ? "" : String(value));
    }
    for (const child of children) if (child !== undefined && child !== null && child !== false) el.append(child);
    return el;
  }

  const ICONS = {
    chat: "M21 11.5a8.4 8.4 0 0 1-.9 3.8 8.5 8.5 0 0 1-7.6 4.7 8.4 8.4 0 0 1-3.8-.9L3 21l1.9-5.7a8.4 8.4 0 0 1-.9-3.8 8.5 8.5 0 0 1 4.7-7.6 8.4 8.4 0 0 1 3.8-.9h.5a8.5 8.5 0 0 1 8 8v.5z",
    close: "M18 6 6 18M6 6l12 12",
    up: "M14 9V5a3 3 0 0 0-3-3l-4 9v11h11.3a2 2 0 0 0 2-1.7l1.4-9a2 2 0 0 0-2-2.3zM7 22H4a2 2 0 0 1-2-2v-7a2 2 0 0 1 2-2h3",
    down: "M10 15v4a3 3 0 0 0 3 3l4-9V2H5.7a2 2 0 0 0-2 1.7l-1.4 9a2 2 0 0 0 2 2.3zm7-13h2.7A2.3 2.3 0 0 1 22 4v7a2.3 2.3 0 0 1-2.3 2H17",
  };

  function icon(name) {
    const ns = "http://www.w3.org/2000/svg";
    const svg = document.createElementNS(ns, "svg");
    svg.setAttribute("viewBox", "0 0 24 24");
    svg.setAttribute("aria-hidden", "true");
    svg.setAttribute("focusable", "false");
    const path = document.createElementNS(ns, "path");
    path.setAttribute("d", ICONS[name]);
    svg.append(path);
    return svg;
  }

  function mount() {
    if (state.mounted) return;
    host = h("div", { "data-switchboard-widget": VERSION });
    root = host.attachShadow({ mode: "open" });
    try {
      const sheet = new CSSStyleSheet(); // not subject to the page's CSP style-src
      sheet.replaceSync(CSS);
      root.adoptedStyleSheets = [sheet];
    } catch (_) {
      root.append(h("style", { text: CSS }));
    }

    launcher = h(
      "button",
      {
        type: "button",
        class: "launcher",
        "aria-label": `Chat with ${TITLE}`,
        "aria-expanded": "false",
        "aria-controls": "sb-panel",
        onclick: () => (state.open ? close() : open()),
      },
      icon("chat"),
    );
    closeButton = h("button", { type: "button", class: "icon", "aria-label": "Close chat", onclick: close }, icon("close"));
    log = h("div", {
      class: "log",
      role: "log",
      "aria-live": "polite",
      "aria-relevant": "additions",
      "aria-label": "Conversation",
      tabindex: "0",
    });
    status = h("div", { class: "status", role: "status" });
    noticeText = h("span");
    notice = h("div", { class: "notice", role: "timer", hidden: true }, noticeText);

    nameInput = h("input", { id: "sb-name", type: "text", autocomplete: "name", maxlength: "200", required: true });
    emailInput = h("input", { id: "sb-email", type: "email", autocomplete: "email", maxlength: "320", required: true });
    introError = h("p", { class: "intro-error", role: "alert" });
    intro = h(
      "form",
      { class: "intro", novalidate: true, hidden: true, onsubmit: onIntro },
      h("p", { class: "intro-lead", text: "Before we start, please tell us who you are." }),
      h("label", { for: "sb-name", text: "Your name" }),
      nameInput,
      h("label", { for: "sb-email", text: "Your email" }),
      emailInput,
      introError,
      h("button", { type: "submit", class: "primary", text: "Start chat" }),
    );

    input = h("textarea", {
      id: "sb-input",
      rows: "2",
      maxlength: String(MAX_CHARS),
      placeholder: "Type your question…",
      onkeydown: onInputKey,
    });
    sendButton = h("button", { type: "submit", class: "primary send", text: "Send" });
    composer = h(
      "form",
      { class: "composer", onsubmit: onSend },
      h("label", { for: "sb-input", class: "sr-only", text: "Your message" }),
      input,
      sendButton,
    );

    panel = h(
      "section",
      {
        id: "sb-panel",
        class: "panel",
        role: "dialog",
        "aria-modal": "false",
        "aria-labelledby": "sb-title",
        hidden: true,
        onkeydown: (event) => {
          if (event.key === "Escape") {
            event.preventDefault();
            close();
          }
        },
      },
      h("header", { class: "head" }, h("h2", { id: "sb-title", text: TITLE }), closeButton),
      log,
      status,
      notice,
      intro,
      composer,
    );
    root.append(h("div", { class: "sb" }, launcher, panel));
    document.body.append(host);
    state.mounted = true;
    addWelcome();
    showView();
    if (state.wantOpen) open();
  }

  function showView() {
    const known = identified();
    intro.hidden = known;
    composer.hidden = !known;
    if (!known) {
      nameInput.value = nameInput.value || user.name;
      emailInput.value = emailInput.value || user.email;
    }
  }

  function focusFirst() {
    if (!intro.hidden) nameInput.focus();
    else if (!input.disabled) input.focus();
    else closeButton.focus();
  }

  function focusComposer() {
    if (!state.open) return;
    if (!composer.hidden && !input.disabled) input.focus();
    else if (!composer.hidden) state.refocus = true; // once the input is enabled again
    else focusFirst();
  }

  function appendRow(row) {
    log.append(row);
    log.scrollTop = log.scrollHeight;
    return row;
  }

  function speaker(who) {
    return h("span", { class: "sr-only", text: who + ": " });
  }

  function addWelcome() {
    appendRow(h("div", { class: "row bot" }, h("div", { class: "bubble" }, speaker(TITLE), h("p", { class: "text", text: WELCOME }))));
  }

  function addUser(text) {
    return appendRow(h("div", { class: "row user" }, h("div", { class: "bubble" }, speaker("You"), text)));
  }

  function addBot(text) {
    return appendRow(
      h("div", { class: "row bot" }, h("div", { class: "bubble" }, speaker(TITLE), h("p", { class: "text", text }))),
    );
  }

  function addError(text) {
    return appendRow(
      h("div", { class: "row bot error" }, h("div", { class: "bubble" }, speaker(TITLE), h("p", { class: "text", text }))),
    );
  }

  function resetConversation() {
    state.generation += 1;
    state.sessionId = null;
    state.history = [];
    if (state.mounted) {
      log.replaceChildren();
      addWelcome();
      setBusy(false);
    }
  }

  // ---- identity form ------------------------------------------------------------------------
  function onIntro(event) {
    event.preventDefault();
    const name = nameInput.value.trim();
    const email = emailInput.value.trim();
    nameInput.removeAttribute("aria-invalid");
    emailInput.removeAttribute("aria-invalid");
    introError.textContent = "";
    if (!name) return introProblem(nameInput, "Please enter your name.");
    if (!EMAIL.test(email)) return introProblem(emailInput, "Please enter a valid email address.");
    applyUser({ name, email });
    showView();
    focusComposer();
  }

  function introProblem(field, text) {
    field.setAttribute("aria-invalid", "true");
    introError.textContent = text;
    field.focus();
  }

  // ---- sending ------------------------------------------------------------------------------
  function onInputKey(event) {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      if (composer.requestSubmit) composer.requestSubmit();
      else onSend(event);
    }
  }

  function blocked() {
    return state.blockedUntil > Date.now();
  }

  function setBusy(on, text) {
    if (on) state.refocus = state.refocus || composer.contains(root.activeElement); // Enter or Send
    state.busy = on;
    status.replaceChildren(...(on ? [h("span", { class: "spinner", "aria-hidden": "true" }), h("span", { text })] : []));
    updateComposer();
  }

  function updateComposer() {
    const off = state.busy || blocked();
    input.disabled = off;
    sendButton.disabled = off;
    if (!off && state.refocus) {
      state.refocus = false;
      if (state.open && !composer.hidden) input.focus();
    }
  }

  function restore(text) {
    if (!input.value.trim()) input.value = text;
  }

  async function onSend(event) {
    event.preventDefault();
    const text = input.value.trim();
    if (!text || state.busy || blocked()) return;
    if (!identified()) return showView();
    const generation = state.generation;
    const bubble = addUser(text);
    const sentAt = new Date().toISOString();
    input.value = "";
    setBusy(true, "Waiting for an answer…");
    let reply = null;
    try {
      reply = await post("/api/agent/customer/", {
        message: text,
        session_id: state.sessionId || undefined,
        user_info: userInfo(),
      });
    } catch (_) {
      reply = null;
    }
    if (generation !== state.generation) return;
    if (reply && reply.status === 200 && reply.data && typeof reply.data.response === "string") {
      state.sessionId = reply.data.session_id || state.sessionId;
      state.history.push({ role: "user", content: text, timestamp: sentAt });
      state.history.push({ role: "assistant", content: reply.data.response, timestamp: reply.data.timestamp || "" });
      addAnswer(text, reply.data);
    } else {
      bubble.remove(); // not stored by the API: give the text back for another try
      restore(text);
      if (reply && reply.status === 429) {
        // Not setBusy(false): that would clear the announcement and spend the refocus before the
        // lockout starts. The cooldown replaces the spinner and gives focus back when it ends.
        state.busy = false;
        startCooldown(retryAfter(reply));
        return;
      }
      addError(failureText(reply));
    }
    setBusy(false);
  }

  function retryAfter(reply) {
    const detail = reply.data && reply.data.detail;
    const seconds = Number(detail && detail.reset_in_seconds) || Number(reply.headers.get("Retry-After")) || 30;
    return Math.max(1, Math.ceil(seconds));
  }

  function failureText(reply) {
    if (!reply) return "Sorry, I couldn't reach the support service, so your message was not sent. Please try again.";
    switch (reply.status) {
      case 401:
        return "Sorry, this chat isn't available right now: the site's chat key was refused.";
      case 413:
        return `Your message is too long. Please shorten it to at most ${MAX_CHARS} characters and try again.`;
      case 422:
        return "Your details were not accepted. Please check your name and email address.";
      case 503:
        return "The support service is busy right now. Please try again in a moment.";
      default:
        return "Sorry, something went wrong and your message was not sent. Please try again.";
    }
  }

  // ---- 429: countdown -----------------------------------------------------------------------
  function waitText(seconds) {
    return `You can send another message in ${seconds} second${seconds === 1 ? "" : "s"}`;
  }

  function startCooldown(seconds) {
    state.blockedUntil = Date.now() + seconds * 1000;
    // One announcement; the visible countdown below is a timer (not read out every second).
    status.replaceChildren(h("span", { class: "sr-only", text: `You've reached the message limit. ${waitText(seconds)}.` }));
    notice.hidden = false;
    clearInterval(state.tick);
    state.tick = setInterval(tickCooldown, 250);
    tickCooldown();
    updateComposer();
  }

  function tickCooldown() {
    const left = Math.ceil((state.blockedUntil - Date.now()) / 1000);
    if (left > 0) {
      noticeText.textContent = waitText(left) + ".";
      return;
    }
    clearInterval(state.tick);
    state.blockedUntil = 0;
    notice.hidden = true;
    status.replaceChildren(h("span", { text: "You can send messages again." }));
    updateComposer();
  }

  // ---- answers ------------------------------------------------------------------------------
  function addAnswer(query, answer) {
    const messageId = `sbw-${Date.now().toString(36)}-${randomHex(8)}`;
    const confidence = Math.min(1, Math.max(0, Number(answer.classification_confidence) || 0));
    const titles = [];
    for (const source of Array.isArray(answer.sources) ? answer.sources : []) {
      const title = source && typeof source.title === "string" ? source.title.trim() : "";
      if (title && !titles.includes(title)) titles.push(title);
    }
    // A human owns the conversation: the API sends a fixed notice (no sources, confidence 0),
    // which is neither rated nor scored.
    const isNotice = !answer.requires_escalation && confidence === 0 && titles.length === 0;
    const bubble = h("div", { class: "bubble" }, speaker(TITLE), h("p", { class: "text", text: answer.response }));
    if (titles.length) {
      const label = uid("sources");
      bubble.append(
        h(
          "div",
          { class: "sources" },
          h("p", { class: "label", id: label, text: titles.length === 1 ? "Source" : "Sources" }),
          h("ul", { "aria-labelledby": label }, ...titles.map((title) => h("li", { text: title }))),
        ),
      );
    }
    if (!isNotice) bubble.append(confidenceMeter(confidence));
    if (answer.requires_escalation) bubble.append(ticketPrompt(query, answer, confidence));
    else if (!isNotice) bubble.append(feedbackBar(messageId, query, answer, confidence, titles));
    appendRow(h("div", { class: "row bot", "data-message-id": messageId }, bubble));
  }

  function confidenceMeter(confidence) {
    const percent = Math.round(confidence * 100);
    const label = uid("confidence");
    const fill = h("div", { class: "fill" });
    fill.style.width = percent + "%";
    return h(
      "div",
      { class: "confidence" },
      h("span", { id: label, text: `Confidence ${percent}%` }),
      h(
        "div",
        {
          class: "meter",
          role: "meter",
          "aria-labelledby": label,
          "aria-valuemin": "0",
          "aria-valuemax": "100",
          "aria-valuenow": String(percent),
          "aria-valuetext": `${percent}%`,
        },
        fill,
      ),
    );
  }

  // ---- feedback -----------------------------------------------------------------------------
  function feedbackBar(messageId, query, answer, confidence, titles) {
    const up = h("button", { type: "button", class: "thumb", "aria-label": "Helpful", "aria-pressed": "false" }, icon("up"));
    const down = h("button", { type: "button", class: "thumb", "aria-label": "Not helpful", "aria-pressed": "false" }, icon("down"));
    const thanks = h("span", { class: "thanks" });
    const sessionId = state.sessionId;
    const generation = state.generation;
    let rated = false; // one rating per message: a second click does nothing

    async function rate(helpful, button) {
      if (rated) return;
      rated = true;
      up.disabled = true;
      down.disabled = true;
      button.setAttribute("aria-pressed", "true");
      focusComposer();
      let reply = null;
      try {
        const who = userInfo();
        reply = await post("/api/feedback", {
          message_id: messageId,
          session_id: sessionId,
          feedback_type: helpful ? "helpful" : "unhelpful",
          query: query.slice(0, 20000),
          response: answer.response.slice(0, 20000) || "-",
          agent_type: "customer",
          user_info: { agent_id: who.agent_id, email: who.email, full_name: who.name },
          confidence_score: confidence,
          sources_used: titles.slice(0, 50),
        });
      } catch (_) {
        reply = null;
      }
      if (generation !== state.generation) return;
      if (reply && (reply.status === 200 || reply.status === 409)) {
        thanks.textContent = "Thanks for your feedback.";
        return;
      }
      rated = false; // not recorded: let the user try again
      up.disabled = false;
      down.disabled = false;
      button.setAttribute("aria-pressed", "false");
      thanks.textContent = "Sorry, your rating wasn't sent. Please try again.";
    }

    up.addEventListener("click", () => rate(true, up));
    down.addEventListener("click", () => rate(false, down));
    const label = uid("rate");
    return h(
      "div",
      { class: "feedback", role: "group", "aria-labelledby": label },
      h("span", { id: label, text: "Was this helpful?" }),
      up,
      down,
      thanks,
    );
  }

  // ---- escalation ---------------------------------------------------------------------------
  function ticketPrompt(query, answer, confidence) {
    const who = userInfo();
    const failure = once(() =>
      post("/api/agent-failure/", {
        session_id: answer.session_id || state.sessionId,
        agent_id: who.agent_id,
        query: query.slice(0, 20000),
        agent_response: answer.response.slice(0, 20000),
        confidence_score: confidence,
        escalation_reason: confidence < LOW_CONFIDENCE ? "low_confidence" : "user_request",
        user_email: who.email,
        user_name: who.name,
        user_agency: who.agency,
        user_office: who.office,
        agent_type: "customer",
      }).then((reply) => {
        const id = reply.status === 200 && reply.data && reply.data.failure_id;
        if (!id) throw new Error("failure not recorded: " + reply.status);
        return String(id);
      }),
    );
    failure().catch(() => undefined); // recorded at once (the contract); a Yes/No retries if it failed
    const generation = state.generation;
    const question = uid("ticket");
    const yes = h("button", { type: "button", class: "choice primary", text: "Yes" });
    const no = h("button", { type: "button", class: "choice", text: "No" });
    const box = h(
      "div",
      { class: "prompt", role: "group", "aria-labelledby": question },
      h("p", { id: question, text: "Would you like me to create a support ticket?" }),
      h("div", { class: "choices" }, yes, no),
    );

    yes.addEventListener("click", async () => {
      yes.disabled = true;
      no.disabled = true;
      const history = state.history.slice(-500).map((item) => ({ ...item, content: item.content.slice(0, 20000) }));
      setBusy(true, "Creating your support ticket…");
      let reply = null;
      let id = "";
      try {
        id = await failure();
        reply = await createTicket(id, history);
      } catch (_) {
        reply = null;
      }
      if (generation !== state.generation) return;
      setBusy(false);
      if (reply && (reply.status === 200 || reply.status === 202)) {
        box.remove();
        addBot(ticketMessage(reply));
        if (reply.status === 202) poll(id, history, generation, 1);
      } else if (reply && reply.status === 409) {
        box.remove();
        addError("This request was already closed, so no ticket was created.");
      } else {
        yes.disabled = false;
        no.disabled = false;
        addError("Sorry, I couldn't create your support ticket right now. Please try again in a moment.");
      }
      focusComposer();
    });

    no.addEventListener("click", async () => {
      box.remove();
      addBot("OK, I won't create a ticket. Is there anything else I can help with?");
      focusComposer();
      try {
        await post(`/api/agent-failure/${encodeURIComponent(await failure())}/decline`, {});
      } catch (_) {
        // Nothing to tell the user: the failure simply stays open.
      }
    });
    return box;
  }

  function createTicket(id, history) {
    return post(`/api/agent-failure/${encodeURIComponent(id)}/create-ticket`, { conversation_history: history });
  }

  function ticketMessage(reply) {
    const body = reply.data || {};
    if (typeof body.message === "string" && body.message.trim()) return body.message;
    return body.ticket_id ? `Your support ticket #${body.ticket_id} was created.` : "I'm creating your support ticket now.";
  }

  // 202: the ticket is being made by a queued task; ask again until it has a number.
  function poll(id, history, generation, attempt) {
    if (attempt > POLL_TIMES) return;
    setTimeout(async () => {
      if (generation !== state.generation) return;
      let reply = null;
      try {
        reply = await createTicket(id, history);
      } catch (_) {
        reply = null;
      }
      if (generation !== state.generation) return;
      if (reply && reply.status === 200) addBot(ticketMessage(reply));
      else if (reply && (reply.status === 404 || reply.status === 409)) return;
      else if (attempt < POLL_TIMES) poll(id, history, generation, attempt + 1);
      else if (!reply || reply.status !== 202) addError("Sorry, I couldn't confirm your support ticket. Please try again later.");
    }, POLL_SECONDS * 1000);
  }

  // ---- HTTP ---------------------------------------------------------------------------------
  async function post(path, body) {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), TIMEOUT_MS);
    try {
      const response = await fetch(BASE + path, {
        method: "POST",
        mode: "cors",
        credentials: "omit",
        cache: "no-store",
        headers: { "Content-Type": "application/json", Authorization: "Bearer " + KEY },
        body: JSON.stringify(body),
        signal: controller.signal,
      });
      const raw = await response.text();
      let parsed = null;
      try {
        parsed = raw ? JSON.parse(raw) : null;
      } catch (_) {
        parsed = null;
      }
      return { status: response.status, data: parsed, headers: response.headers };
    } finally {
      clearTimeout(timer);
    }
  }

  function once(make) {
    let pending = null;
    return () => {
      if (!pending) {
        pending = make();
        pending.catch(() => {
          pending = null; // the next call tries again
        });
      }
      return pending;
    };
  }

  function randomHex(bytes) {
    const values = new Uint8Array(bytes);
    (window.crypto || window.msCrypto).getRandomValues(values);
    return Array.from(values, (b) => b.toString(16).padStart(2, "0")).join("");
  }

  // ---- styles (isolated in the shadow root) -------------------------------------------------
  // Text colours meet WCAG AA (4.5:1) on their backgrounds; focus is always visible.
  const CSS = `
:host { all: initial !important; }
.sb { font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
  font-size: 15px; line-height: 1.45; color: #1a1a1a; -webkit-text-size-adjust: 100%; }
.sb *, .sb *::before, .sb *::after { box-sizing: border-box; }
[hidden] { display: none !important; }
button, input, textarea { font: inherit; color: inherit; margin: 0; }
button { cursor: pointer; }
button:disabled { cursor: default; }
:focus-visible { outline: 3px solid #0b57d0; outline-offset: 2px; }
.sr-only { position: absolute !important; width: 1px; height: 1px; padding: 0; margin: -1px; overflow: hidden;
  clip: rect(0 0 0 0); white-space: nowrap; border: 0; }
svg { fill: none; stroke: currentColor; stroke-width: 2; stroke-linecap: round; stroke-linejoin: round; }

.launcher { position: fixed; right: 20px; bottom: 20px; z-index: 2147483000; width: 56px; height: 56px;
  display: grid; place-items: center; border: 0; border-radius: 50%; background: #1d4ed8; color: #fff;
  box-shadow: 0 4px 14px rgba(0, 0, 0, .28); }
.launcher:hover { background: #1e40af; }
.launcher:focus-visible { outline: 3px solid #111827; outline-offset: 2px; box-shadow: 0 0 0 2px #fff; }
.launcher svg { width: 28px; height: 28px; }

.panel { position: fixed; right: 20px; bottom: 88px; z-index: 2147483001; width: 380px; max-width: calc(100vw - 40px);
  height: 600px; max-height: calc(100vh - 108px); display: flex; flex-direction: column; overflow: hidden;
  background: #fff; color: #1a1a1a; border: 1px solid #c4cad3; border-radius: 12px;
  box-shadow: 0 12px 40px rgba(0, 0, 0, .25); }
.head { display: flex; align-items: center; justify-content: space-between; gap: 8px;
  padding: 8px 8px 8px 16px; background: #1d4ed8; color: #fff; }
.head h2 { margin: 0; font-size: 17px; font-weight: 600; line-height: 1.3; }
.head :focus-visible { outline-color: #fff; outline-offset: -4px; }
.icon { width: 44px; height: 44px; flex: none; display: grid; place-items: center; border: 0; border-radius: 8px;
  background: transparent; color: inherit; }
.icon:hover { background: rgba(255, 255, 255, .16); }
.icon svg { width: 22px; height: 22px; }

.log { flex: 1 1 auto; overflow-y: auto; padding: 16px; display: flex; flex-direction: column; gap: 12px; }
.log:focus-visible { outline-offset: -3px; }
.row { display: flex; }
.row.user { justify-content: flex-end; }
.bubble { max-width: 88%; padding: 10px 12px; border-radius: 12px; overflow-wrap: anywhere; }
.user .bubble { background: #1d4ed8; color: #fff; border-bottom-right-radius: 4px; white-space: pre-wrap; }
.bot .bubble { background: #f1f3f5; color: #1a1a1a; border-bottom-left-radius: 4px; }
.bot.error .bubble { background: #fdecec; color: #8a1c1c; }
.text { margin: 0; white-space: pre-wrap; }
.sources, .confidence, .feedback { margin-top: 10px; font-size: 14px; color: #374151; }
.sources .label { margin: 0 0 2px; font-weight: 600; }
.sources ul { margin: 0; padding-left: 20px; }
.confidence { display: flex; align-items: center; gap: 10px; }
.meter { flex: 1; max-width: 140px; height: 8px; border-radius: 4px; background: #cfd6df; overflow: hidden; }
.meter .fill { height: 100%; background: #1d4ed8; }
.feedback { display: flex; align-items: center; flex-wrap: wrap; gap: 6px; }
.thumb { width: 40px; height: 40px; display: grid; place-items: center; border: 1px solid #6b7280; border-radius: 8px;
  background: #fff; color: #1a1a1a; }
.thumb:hover:not(:disabled) { background: #e6ecfb; }
.thumb:disabled { color: #4b5563; border-color: #9ca3af; background: #f9fafb; }
.thumb[aria-pressed="true"] { background: #1d4ed8; border-color: #1d4ed8; color: #fff; }
.thumb svg { width: 18px; height: 18px; }
.thanks { color: #14532d; }
.prompt { margin-top: 12px; padding-top: 10px; border-top: 1px solid #c4cad3; }
.prompt p { margin: 0 0 8px; font-weight: 600; }
.choices { display: flex; gap: 8px; }
.choice { min-width: 72px; min-height: 40px; padding: 8px 16px; border: 2px solid #1d4ed8; border-radius: 8px;
  background: #fff; color: #1d4ed8; font-weight: 600; }
.choice.primary { background: #1d4ed8; color: #fff; }
.choice:disabled { border-color: #6b7280; background: #fff; color: #4b5563; }

.status { display: flex; align-items: center; gap: 8px; padding: 0 16px; font-size: 14px; color: #374151; }
.status:not(:empty) { padding: 8px 16px; }
.spinner { width: 18px; height: 18px; flex: none; border: 3px solid #c7d2fe; border-top-color: #1d4ed8;
  border-radius: 50%; animation: sb-spin .8s linear infinite; }
@keyframes sb-spin { to { transform: rotate(360deg); } }
@media (prefers-reduced-motion: reduce) { .spinner { animation-duration: 3s; } }
.notice { margin: 0 16px 8px; padding: 8px 12px; border-radius: 8px; background: #fff4e5; color: #7a3e00;
  font-size: 14px; font-weight: 600; }

.composer { display: flex; align-items: flex-end; gap: 8px; padding: 12px; border-top: 1px solid #c4cad3; }
textarea { flex: 1; min-width: 0; min-height: 44px; max-height: 120px; resize: none; padding: 10px 12px;
  border: 1px solid #6b7280; border-radius: 8px; background: #fff; color: #1a1a1a; font-size: 16px; line-height: 1.35; }
textarea::placeholder { color: #5b6270; opacity: 1; }
textarea:disabled { background: #f1f3f5; color: #4b5563; }
.primary { min-height: 44px; padding: 10px 16px; border: 0; border-radius: 8px; background: #1d4ed8; color: #fff;
  font-weight: 600; }
.primary:hover:not(:disabled) { background: #1e40af; }
.primary:disabled { background: #6b7280; color: #fff; }

.intro { display: grid; gap: 6px; padding: 12px 16px 16px; border-top: 1px solid #c4cad3; }
.intro-lead { margin: 0 0 4px; }
.intro label { font-size: 14px; font-weight: 600; }
.intro input { min-height: 44px; padding: 10px 12px; border: 1px solid #6b7280; border-radius: 8px; background: #fff;
  color: #1a1a1a; font-size: 16px; }
.intro input[aria-invalid="true"] { border: 2px solid #b91c1c; }
.intro-error { margin: 0; color: #b91c1c; font-size: 14px; }
.intro-error:empty { display: none; }
.intro .primary { margin-top: 6px; }

@media (max-width: 480px) {
  .panel { inset: 0; width: 100%; max-width: none; height: 100%; max-height: none; border: 0; border-radius: 0; }
}
`;

  // ---- start --------------------------------------------------------------------------------
  if (!KEY || !BASE) {
    console.error("Switchboard widget: the script tag needs a data-key attribute (docs/widget.md)");
  } else if (document.body) {
    mount();
  } else {
    document.addEventListener("DOMContentLoaded", mount, { once: true });
  }
})();
