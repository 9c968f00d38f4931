/*
 * The clinic's chat widget: one dependency-free script plus widget.css beside it.
 * A clinic adds it to any page with one tag:
 *   <script src="https://chat.clinic.example/widget.js" data-server="https://chat.clinic.example"
 *           data-phone="(555) 010-0100" data-clinic="Example Pain Clinic" defer></script>
 * It talks to Rasa's REST webhook (POST {data-server}/webhooks/rest/webhook). Every bot text is put in
 * the page with textContent, never as HTML; the only markup it makes is a link for a plain http(s) URL.
 * The conversation (sender id and transcript) lives in sessionStorage: it survives reloads and page
 * changes in the same tab and ends with the tab.
 */
(function () {
  "use strict";

  var script = document.currentScript;
  if (!script || document.querySelector("[data-clinic-chat]")) return;

  var config = {
    server: (script.getAttribute("data-server") || window.location.origin).replace(/\/+$/, ""),
    phone: script.getAttribute("data-phone") || "",
    clinic: script.getAttribute("data-clinic") || "the clinic",
    typingDelayMs: 500, // the pause, with the typing indicator, between two messages of one reply
    timeoutMs: 20000
  };
  var WEBHOOK = config.server + "/webhooks/rest/webhook";
  var MAX_CHARS = 1000; // the channel's limit (credentials.yml max_message_chars)
  var STORE = "clinicChat."; // sessionStorage keys: sender, transcript, open
  var TOPICS = [
    { title: "Safety", payload: "/ask_safety" },
    { title: "Side effects", payload: "/ask_side_effects" },
    { title: "Insurance", payload: "/ask_insurance" },
    { title: "Medication", payload: "/ask_medication" },
    { title: "Procedures", payload: "/ask_procedures" },
    // The practical questions patients ask a clinic's website most (answered from clinic.yml).
    { title: "Hours", payload: "/ask_hours" },
    { title: "Location & parking", payload: "/ask_location" },
    { title: "Refills", payload: "/ask_refill" },
    { title: "Book an appointment", payload: "/book_appointment" }
  ];
  var URL_PATTERN = /https?:\/\/[^\s<>"'`]+/g;

  // --- storage (sessionStorage can throw when blocked: then the conversation lasts one page) ---
  var memory = {};
  function load(key, fallback) {
    try {
      var raw = window.sessionStorage.getItem(STORE + key);
      return raw === null ? fallback : JSON.parse(raw);
    } catch (e) {
      return key in memory ? memory[key] : fallback;
    }
  }
  function save(key, value) {
    memory[key] = value;
    try { window.sessionStorage.setItem(STORE + key, JSON.stringify(value)); } catch (e) { /* memory only */ }
  }
  function newSenderId() {
    var bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);
    return "web-" + Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }

  // --- DOM helpers: everything is built with createElement and textContent ---
  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text) node.textContent = text;
    return node;
  }

  /** Text with plain http(s) URLs turned into links; everything else stays text nodes. */
  function richText(parent, text) {
    var last = 0;
    text.replace(URL_PATTERN, function (match, offset) {
      var url = match.replace(/[.,;:!?)\]]+$/, ""); // sentence punctuation after a URL is not part of it
      var parsed = null;
      try { parsed = new URL(url); } catch (e) { parsed = null; }
      if (!parsed || (parsed.protocol !== "http:" && parsed.protocol !== "https:")) return match;
      parent.appendChild(document.createTextNode(text.slice(last, offset)));
      var link = el("a", "cw-link", url);
      link.href = parsed.href;
      link.target = "_blank";
      link.rel = "noopener noreferrer";
      parent.appendChild(link);
      last = offset + url.length;
      return match;
    });
    parent.appendChild(document.createTextNode(text.slice(last)));
  }

  // --- the widget's elements ---
  var root = el("div", "cw-root");
  root.setAttribute("data-clinic-chat", "");
  var launcher = el("button", "cw-launcher", "Chat with us");
  launcher.type = "button";
  launcher.setAttribute("aria-controls", "cw-panel");
  launcher.setAttribute("aria-expanded", "false");

  var panel = el("section", "cw-panel");
  panel.id = "cw-panel";
  panel.setAttribute("role", "dialog");
  panel.setAttribute("aria-labelledby", "cw-title");
  panel.hidden = true;

  var header = el("div", "cw-header");
  var title = el("h2", "cw-title", config.clinic + " assistant");
  title.id = "cw-title";
  var restart = el("button", "cw-restart", "Start over");
  restart.type = "button";
  var close = el("button", "cw-close", "\u00d7");
  close.type = "button";
  close.setAttribute("aria-label", "Close chat");
  header.append(title, restart, close);

  var log = el("div", "cw-log");
  log.setAttribute("role", "log");
  log.setAttribute("aria-live", "polite");
  log.setAttribute("aria-label", "Conversation");
  log.tabIndex = 0; // scrollable with the keyboard

  var typing = el("div", "cw-typing");
  typing.setAttribute("role", "status");
  var alertBox = el("div", "cw-alert");
  alertBox.setAttribute("role", "alert");

  var form = el("form", "cw-form");
  var label = el("label", "cw-visually-hidden", "Your question");
  label.htmlFor = "cw-input";
  var input = el("input", "cw-input");
  input.id = "cw-input";
  input.type = "text";
  input.maxLength = MAX_CHARS;
  input.autocomplete = "off";
  input.placeholder = "Type your question";
  var send = el("button", "cw-send", "Send");
  send.type = "submit";
  form.append(label, input, send);

  panel.append(header, log, typing, alertBox, form);
  root.append(launcher, panel);

  // --- transcript: entries {who: "user"|"bot", text, answer?, variant?, about?, buttons?, chosen?} ---
  var transcript = load("transcript", []);
  var sender = load("sender", null);

  function renderEntry(entry, index) {
    var item = el("div", "cw-msg cw-msg--" + entry.who);
    if (entry.who === "bot") {
      item.setAttribute("data-answer", entry.answer || "");
      if (entry.variant) item.setAttribute("data-variant", entry.variant);
      if (entry.about) item.setAttribute("data-about", entry.about);
      if (entry.answer === "emergency") item.classList.add("cw-msg--urgent");
      if (entry.answer === "unavailable") item.classList.add("cw-msg--problem");
    }
    var bubble = el("p", "cw-bubble");
    if (entry.who === "bot") richText(bubble, entry.text); else bubble.textContent = entry.text;
    item.appendChild(bubble);
    if (entry.buttons && entry.buttons.length) item.appendChild(renderButtons(entry, index));
    log.appendChild(item);
    scrollToEnd();
  }

  function renderButtons(entry, index) {
    var group = el("div", "cw-choices");
    group.setAttribute("role", "group");
    group.setAttribute("aria-label", "Reply options");
    entry.buttons.forEach(function (choice, choiceIndex) {
      var button = el("button", "cw-choice", choice.title);
      button.type = "button";
      button.setAttribute("data-payload", choice.payload);
      if (entry.chosen !== undefined) {
        button.disabled = true;
        if (entry.chosen === choiceIndex) button.setAttribute("aria-pressed", "true");
      }
      button.addEventListener("click", function () {
        if (transcript[index].chosen !== undefined) return;
        transcript[index].chosen = choiceIndex;
        save("transcript", transcript);
        Array.prototype.forEach.call(group.querySelectorAll("button"), function (b) { b.disabled = true; });
        button.setAttribute("aria-pressed", "true");
        input.focus(); // the clicked button is now disabled; keep the keyboard in the chat
        ask(choice.title, choice.payload);
      });
      group.appendChild(button);
    });
    return group;
  }

  function addEntry(entry) {
    transcript.push(entry);
    save("transcript", transcript);
    renderEntry(entry, transcript.length - 1);
  }

  // --- talking to the bot: one request at a time, replies shown in order ---
  var queue = Promise.resolve();

  function scrollToEnd() { log.scrollTop = log.scrollHeight; }

  function setTyping(on) {
    typing.textContent = on ? "The assistant is typing\u2026" : "";
    typing.classList.toggle("cw-typing--on", on);
    scrollToEnd(); // the indicator takes room from the transcript: keep its end in view
  }

  /** The plain error a patient sees instead of a reply, always with the clinic's phone number. */
  function showProblem(tooManyMessages) {
    alertBox.textContent = "";
    alertBox.appendChild(document.createTextNode(
      (tooManyMessages ? "Sorry, that was too many messages in a short time: please wait a minute and try again. "
                       : "Sorry, the assistant can't be reached right now. ") +
      (config.phone ? "Please call " + config.clinic + " at " : "Please call " + config.clinic + ".")));
    if (config.phone) {
      var phone = el("a", "cw-link", config.phone);
      phone.href = "tel:" + config.phone.replace(/[^\d+]/g, "");
      alertBox.append(phone, document.createTextNode("."));
    }
    alertBox.appendChild(document.createTextNode(" In an emergency call 911."));
    scrollToEnd();
  }

  function wait(ms) { return new Promise(function (resolve) { setTimeout(resolve, ms); }); }

  function postMessage(message) {
    var controller = new AbortController();
    var timer = setTimeout(function () { controller.abort(); }, config.timeoutMs);
    return fetch(WEBHOOK, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ sender: sender, message: message }),
      credentials: "omit",
      signal: controller.signal
    }).then(function (response) {
      if (!response.ok) throw Object.assign(new Error("HTTP " + response.status), { status: response.status });
      return response.json();
    }).then(function (messages) {
      var shown = (Array.isArray(messages) ? messages : []).filter(function (m) {
        return m && typeof m.text === "string" && m.text.trim();
      });
      if (!shown.length) throw new Error("no reply");
      return shown;
    }).finally(function () { clearTimeout(timer); });
  }

  /** Sends one message (shown to the patient as `shownText`, or not at all when null). */
  function ask(shownText, message, withTopics) {
    if (shownText !== null) addEntry({ who: "user", text: shownText });
    queue = queue.then(function () {
      alertBox.textContent = ""; // each message is a new try: an earlier problem no longer applies
      setTyping(true);
      var conversation = sender;
      return postMessage(message).then(function (messages) {
        return messages.reduce(function (previous, m, i) {
          return previous.then(function () {
            if (sender !== conversation) return; // "Start over" was pressed meanwhile: not this conversation's
            var custom = m.custom || {};
            var buttons = (Array.isArray(m.buttons) ? m.buttons : []).filter(function (b) { return b && b.title && b.payload; })
              .map(function (b) { return { title: String(b.title), payload: String(b.payload) }; });
            if (withTopics && i === messages.length - 1 && !buttons.length) buttons = TOPICS.slice();
            addEntry({ who: "bot", text: m.text, answer: custom.answer ? String(custom.answer) : "",
                       variant: custom.variant ? String(custom.variant) : "",
                       about: custom.about ? String(custom.about) : "", buttons: buttons });
            if (i < messages.length - 1) return wait(config.typingDelayMs);
          });
        }, Promise.resolve());
      }).catch(function (error) {
        if (sender === conversation) showProblem(error && error.status === 429);
      }).then(function () { setTyping(false); });
    });
    return queue;
  }

  function startConversation() {
    sender = newSenderId();
    save("sender", sender);
    transcript = [];
    save("transcript", transcript);
    log.textContent = "";
    alertBox.textContent = "";
    // The bot's first reply carries the disclaimer; the greeting gets the topic buttons.
    return ask(null, "/greet", true);
  }

  // --- opening and closing ---
  function showPanel(isOpen) {
    panel.hidden = !isOpen;
    root.classList.toggle("cw-root--open", isOpen);
    launcher.setAttribute("aria-expanded", String(isOpen));
    save("open", isOpen); // a reload or the next page opens it again
  }
  /** Shows the panel, starting a conversation if there is none; `focus` moves the keyboard into it. */
  function open(focus) {
    showPanel(true);
    if (focus) input.focus();
    scrollToEnd();
    if (!sender || !transcript.length) startConversation();
  }
  function closePanel() {
    showPanel(false);
    launcher.focus();
  }

  launcher.addEventListener("click", function () { if (panel.hidden) open(true); else closePanel(); });
  close.addEventListener("click", closePanel);
  restart.addEventListener("click", function () { startConversation(); input.focus(); });
  panel.addEventListener("keydown", function (event) {
    if (event.key === "Escape") { event.preventDefault(); closePanel(); }
  });
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var text = input.value.trim();
    if (!text) return;
    input.value = "";
    ask(text, text);
  });

  function mount() {
    var css = el("link");
    css.rel = "stylesheet";
    css.href = new URL("widget.css", script.src).href;
    document.head.appendChild(css);
    document.body.appendChild(root);
    transcript.forEach(renderEntry);
    if (load("open", false)) open(false); // without taking the focus from the page that just loaded
  }
  if (document.body) mount(); else document.addEventListener("DOMContentLoaded", mount);
})();
