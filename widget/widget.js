/*
 * The clinic's chat widget: one dependency-free script, with widget.css and strings/<language>.json beside it.
 * A clinic adds it to any page with one tag:
 *   <script src="https://chat.clinic.example/widget.js" data-server="https://chat.clinic.example"
 *           data-phone="(555) 010-0100" data-clinic="Example Pain Clinic" defer></script>
 * It talks to Rasa's REST webhook (POST {data-server}/webhooks/rest/webhook). Every bot text is put in
 * the page with textContent, never as HTML; the only markup it makes is a link for a plain http(s) URL (and
 * for an article's https address, below).
 * The conversation (sender id, transcript, language) lives in sessionStorage: it survives reloads and page
 * changes in the same tab and ends with the tab.
 *
 * Languages: English and Spanish. The first language is the tag's data-lang="es" / "en" when given, else the
 * page's <html lang> (es, es-US, es-MX... -> Spanish; anything else -> English); once a conversation has begun
 * it keeps its language, which the patient changes with the English / Español switch in the panel's header.
 * Every request carries it ("language": "en" | "es"); a switch sends the greeting again in the new language.
 * The widget's own texts come from strings/en.json and strings/es.json (fetched from beside the script, so the
 * page's Content-Security-Policy must let it connect there: the chat server, in the tag above). When the
 * language's file cannot be loaded, the widget uses the other language's; when neither loads, it shows only
 * the clinic's phone number, as a call link. strings/README.md describes the files.
 *
 * Under a curated or practical answer, a short line says where it comes from: the marker's `source_line` (the
 * server's: clinic_bot/content/articles.py) worded with the strings of the reply's language, its date's month by
 * Intl.DateTimeFormat. An article's title is a link only when the marker gives an https address for it.
 */
(function () {
  "use strict";

  var script = document.currentScript;
  if (!script || window.clinicChatStarted || document.querySelector("[data-clinic-chat]")) return;
  window.clinicChatStarted = true; // the widget appears once its strings are in: a second copy must not start

  var config = {
    server: (script.getAttribute("data-server") || window.location.origin).replace(/\/+$/, ""),
    phone: script.getAttribute("data-phone") || "",
    clinic: script.getAttribute("data-clinic") || "", // without it, the strings' "clinic_default"
    typingDelayMs: 500, // the pause, with the typing indicator, between two messages of one reply
    timeoutMs: 20000,
    stringsTimeoutMs: 5000 // a strings file slower than this counts as failed (the next language is tried)
  };
  var WEBHOOK = config.server + "/webhooks/rest/webhook";
  var MAX_CHARS = 1000; // the channel's limit (credentials.yml max_message_chars)
  var STORE = "clinicChat."; // sessionStorage keys: sender, transcript, open, language
  // The languages the webhook accepts, each by its own name: a language's name for itself is the same
  // whatever language the widget speaks, so these stay here and the switch shows them even before any strings.
  var LANGUAGES = { en: "English", es: "Espa\u00f1ol" };
  var DEFAULT_LANGUAGE = "en";
  // The topic buttons under the greeting: the payloads here, each title from the strings' "topics" (same key).
  var TOPICS = [
    { key: "safety", payload: "/ask_safety" },
    { key: "side_effects", payload: "/ask_side_effects" },
    { key: "insurance", payload: "/ask_insurance" },
    { key: "medication", payload: "/ask_medication" },
    { key: "procedures", payload: "/ask_procedures" },
    // The practical questions patients ask a clinic's website most (answered from clinic.yml).
    { key: "hours", payload: "/ask_hours" },
    { key: "location", payload: "/ask_location" },
    { key: "refills", payload: "/ask_refill" },
    { key: "appointment", payload: "/book_appointment" }
  ];
  // Every text a strings file must give (a file missing one, or one that is not text, counts as not loaded).
  var STRING_KEYS = ["launcher", "title", "clinic_default", "language_label", "start_over", "close_label",
                     "conversation_label", "input_label", "input_placeholder", "send", "typing",
                     "reply_options_label", "error_unreachable", "error_too_many", "call_clinic_at", "call_clinic",
                     "emergency", "source_from", "source_from_several", "source_reviewed",
                     "source_english_reviewed", "source_clinic_details"];
  var URL_PATTERN = /https?:\/\/[^\s<>"'`]+/g;
  var PLACEHOLDER = /\{(\w+)\}/g;
  var ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/; // a source line's review date, as the marker gives it
  var TITLE_SEPARATOR = "; "; // between the titles of several articles
  var has = function (object, key) { return Object.prototype.hasOwnProperty.call(object, key); };

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

  // --- the language: the conversation's, else the tag's data-lang, else the page's <html lang> ---
  /** "es", "es-US", "es-MX"... -> "es"; anything else -> "en". */
  function languageOfTag(tag) { return /^es([-_]|$)/i.test(String(tag || "").trim()) ? "es" : DEFAULT_LANGUAGE; }
  var storedLanguage = load("language", null);
  var language = has(LANGUAGES, storedLanguage) ? storedLanguage
    : languageOfTag(script.getAttribute("data-lang") || document.documentElement.getAttribute("lang"));

  // --- the widget's own strings: strings/<language>.json beside the script ---
  var text = null; // the strings shown
  var textLanguage = null; // their language: the conversation's, or another when its file did not load
  var stringsLoads = {}; // language -> the promise of its strings; a failed load is forgotten (tried again later)

  function usable(strings) {
    return !!strings && typeof strings === "object"
      && STRING_KEYS.every(function (key) { return typeof strings[key] === "string" && strings[key].trim() !== ""; })
      && strings.call_clinic_at.indexOf("{phone}") >= 0 // the phone number is the patient's way out: never lost
      && !!strings.topics && typeof strings.topics === "object"
      && TOPICS.every(function (t) { return typeof strings.topics[t.key] === "string" && strings.topics[t.key].trim(); });
  }

  function fetchStrings(lang) {
    if (!stringsLoads[lang]) {
      var controller = new AbortController();
      var timer = setTimeout(function () { controller.abort(); }, config.stringsTimeoutMs);
      var url = new URL("strings/" + lang + ".json", script.src).href;
      stringsLoads[lang] = fetch(url, { credentials: "omit", signal: controller.signal }).then(function (response) {
        if (!response.ok) throw new Error("HTTP " + response.status);
        return response.json();
      }).then(function (strings) {
        if (!usable(strings)) throw new Error("a text is missing or empty");
        return strings;
      }).finally(function () { clearTimeout(timer); });
      stringsLoads[lang].catch(function (error) {
        delete stringsLoads[lang];
        if (window.console) window.console.warn("Clinic chat: " + url + " could not be loaded (" + error.message + ")");
      });
    }
    return stringsLoads[lang];
  }

  /** {language, strings}: the language's own, else the first other language's that loads (English first). */
  function stringsFor(lang) {
    var order = [lang, DEFAULT_LANGUAGE].concat(Object.keys(LANGUAGES)).filter(function (l, i, all) {
      return all.indexOf(l) === i;
    });
    return order.reduce(function (previous, candidate) {
      return previous.catch(function () {
        return fetchStrings(candidate).then(function (strings) { return { language: candidate, strings: strings }; });
      });
    }, Promise.reject(new Error("not loaded yet")));
  }

  /** The template's text with each {name} of `values` put in (other braces stay as written). */
  function filled(template, values) {
    return template.replace(PLACEHOLDER, function (match, name) { return has(values, name) ? values[name] : match; });
  }
  /** Appends the template as text nodes, with {name} replaced by values[name]: a string or a node (a link). */
  function appendFilled(parent, template, values) {
    template.split(/(\{\w+\})/).forEach(function (part) {
      var name = /^\{(\w+)\}$/.exec(part);
      var value = name && has(values, name[1]) ? values[name[1]] : part;
      if (value) parent.appendChild(typeof value === "string" ? document.createTextNode(value) : value);
    });
  }
  function clinicName() { return config.clinic || text.clinic_default; }

  // --- DOM helpers: everything is built with createElement and textContent ---
  function el(tag, className, content) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (content) node.textContent = content;
    return node;
  }
  function phoneLink(content) {
    var link = el("a", "cw-link", content);
    link.href = "tel:" + config.phone.replace(/[^\d+]/g, "");
    return link;
  }

  /** A link that opens in a new tab, telling the new page nothing of this one. */
  function externalLink(href, content) {
    var link = el("a", "cw-link", content);
    link.href = href;
    link.target = "_blank";
    link.rel = "noopener noreferrer";
    return link;
  }

  /** Text with plain http(s) URLs turned into links; everything else stays text nodes. */
  function richText(parent, content) {
    var last = 0;
    content.replace(URL_PATTERN, function (match, offset) {
      var url = match.replace(/[.,;:!?)\]]+$/, ""); // sentence punctuation after a URL is not part of it
      var parsed = null;
      try { parsed = new URL(url); } catch (e) { parsed = null; }
      if (!parsed || (parsed.protocol !== "http:" && parsed.protocol !== "https:")) return match;
      parent.appendChild(document.createTextNode(content.slice(last, offset)));
      parent.appendChild(externalLink(parsed.href, url));
      last = offset + url.length;
      return match;
    });
    parent.appendChild(document.createTextNode(content.slice(last)));
  }

  // --- the widget's elements (their texts: applyStrings) ---
  var root = el("div", "cw-root");
  root.setAttribute("data-clinic-chat", "");
  var launcher = el("button", "cw-launcher");
  launcher.type = "button";
  launcher.setAttribute("aria-controls", "cw-panel");
  launcher.setAttribute("aria-expanded", "false");

  var panel = el("section", "cw-panel");
  panel.id = "cw-panel";
  panel.setAttribute("role", "dialog");
  panel.setAttribute("aria-labelledby", "cw-title");
  panel.hidden = true;

  var header = el("div", "cw-header");
  var title = el("h2", "cw-title");
  title.id = "cw-title";
  var close = el("button", "cw-close", "\u00d7");
  close.type = "button";
  var toolbar = el("div", "cw-toolbar");
  var switcher = el("div", "cw-languages");
  switcher.setAttribute("role", "group");
  var languageButtons = Object.keys(LANGUAGES).map(function (code) {
    var button = el("button", "cw-language", LANGUAGES[code]);
    button.type = "button";
    button.lang = code; // read out in its own language
    button.setAttribute("data-language", code);
    button.addEventListener("click", function () { switchLanguage(code); });
    switcher.appendChild(button);
    return button;
  });
  var restart = el("button", "cw-restart");
  restart.type = "button";
  toolbar.append(switcher, restart);
  header.append(title, close, toolbar);

  var log = el("div", "cw-log");
  log.setAttribute("role", "log");
  log.setAttribute("aria-live", "polite");
  log.tabIndex = 0; // scrollable with the keyboard

  var typing = el("div", "cw-typing");
  typing.setAttribute("role", "status");
  var alertBox = el("div", "cw-alert");
  alertBox.setAttribute("role", "alert");

  var form = el("form", "cw-form");
  var label = el("label", "cw-visually-hidden");
  label.htmlFor = "cw-input";
  var input = el("input", "cw-input");
  input.id = "cw-input";
  input.type = "text";
  input.maxLength = MAX_CHARS;
  input.autocomplete = "off";
  var send = el("button", "cw-send");
  send.type = "submit";
  form.append(label, input, send);

  panel.append(header, log, typing, alertBox, form);

  /** Puts the current strings into the widget's own texts (the transcript keeps what it said). */
  function applyStrings() {
    root.lang = textLanguage;
    launcher.textContent = text.launcher;
    title.textContent = filled(text.title, { clinic: clinicName() });
    close.setAttribute("aria-label", text.close_label);
    switcher.setAttribute("aria-label", text.language_label);
    restart.textContent = text.start_over;
    log.setAttribute("aria-label", text.conversation_label);
    label.textContent = text.input_label;
    input.placeholder = text.input_placeholder;
    send.textContent = text.send;
    if (typing.textContent) typing.textContent = text.typing;
    Array.prototype.forEach.call(log.querySelectorAll(".cw-choices"), function (group) {
      group.setAttribute("aria-label", text.reply_options_label);
    });
  }
  function useStrings(loaded) {
    text = loaded.strings;
    textLanguage = loaded.language;
    applyStrings();
  }
  function showLanguage() {
    languageButtons.forEach(function (button) {
      button.setAttribute("aria-pressed", String(button.getAttribute("data-language") === language));
    });
  }
  showLanguage();

  // --- the line under an answer: where it comes from (the marker's source_line), never more than it says ---
  /** The https address `value` names, else "" (a title with anything else stays plain text). */
  function httpsUrl(value) {
    if (typeof value !== "string") return "";
    try {
      var parsed = new URL(value);
      return parsed.protocol === "https:" ? parsed.href : "";
    } catch (e) { return ""; }
  }
  /** A marker's source_line as far as it is well formed: {clinic_details: true}, or {articles: [{title, url?}],
   *  reviewed, reviewed_language}; null for none (or nothing usable): then no line is shown. */
  function sourceLineOf(line) {
    if (!line || typeof line !== "object") return null;
    if (line.clinic_details === true) return { clinic_details: true };
    var articles = (Array.isArray(line.articles) ? line.articles : []).filter(function (article) {
      return article && typeof article.title === "string" && article.title.trim();
    }).map(function (article) {
      var kept = { title: article.title.trim() };
      if (httpsUrl(article.url)) kept.url = httpsUrl(article.url);
      return kept;
    });
    if (!articles.length) return null;
    return { articles: articles, reviewed: typeof line.reviewed === "string" ? line.reviewed : "",
             reviewed_language: typeof line.reviewed_language === "string" ? line.reviewed_language : "" };
  }
  /** "November 2026", "noviembre de 2026": the month of an ISO date in `lang`; "" for anything else. */
  function monthOf(iso, lang) {
    var parts = ISO_DATE.exec(iso || "");
    if (!parts) return "";
    var month = Number(parts[2]) - 1;
    var date = new Date(Date.UTC(Number(parts[1]), month, Number(parts[3])));
    if (date.getUTCMonth() !== month) return ""; // 2026-13-01, 2026-02-31: not a date
    try {
      return new Intl.DateTimeFormat(lang, { month: "long", year: "numeric", timeZone: "UTC" }).format(date);
    } catch (e) { return ""; }
  }
  /** The titles, separated, each a link only when it has an address. */
  function articleTitles(articles) {
    var titles = document.createDocumentFragment();
    articles.forEach(function (article, i) {
      if (i) titles.appendChild(document.createTextNode(TITLE_SEPARATOR));
      if (article.url) titles.appendChild(externalLink(article.url, article.title));
      else titles.appendChild(document.createTextNode(article.title));
    });
    return titles;
  }
  /** The line's contents in the strings of the reply's language (`lang`). */
  function fillSourceLine(node, line, strings, lang) {
    if (line.clinic_details) {
      node.textContent = strings.source_clinic_details;
      return;
    }
    var from = document.createDocumentFragment();
    appendFilled(from, line.articles.length > 1 ? strings.source_from_several : strings.source_from,
                 { titles: articleTitles(line.articles) });
    var month = monthOf(line.reviewed, lang);
    if (!month) { node.appendChild(from); return; }
    // A Spanish reply whose translation is not reviewed yet carries the date of its English text, and says so.
    var english = line.reviewed_language === "en" && lang !== "en";
    appendFilled(node, english ? strings.source_english_reviewed : strings.source_reviewed,
                 { source: from, date: month });
  }
  /** Puts the line below the message's text, inside its entry (read with the answer), once the strings of its
   *  language are in; when they cannot be loaded, no line rather than one in another language. */
  function addSourceLine(item, bubble, sourceLine, lang) {
    var line = sourceLineOf(sourceLine);
    if (!line || !has(LANGUAGES, lang)) return;
    fetchStrings(lang).then(function (strings) {
      var node = el("p", "cw-source");
      fillSourceLine(node, line, strings, lang);
      item.insertBefore(node, bubble.nextSibling);
      scrollToEnd();
    }, function () { /* no line */ });
  }

  // --- transcript: entries {who: "user"|"bot", text, lang, answer?, variant?, about?, sourceLine?, buttons?,
  //     chosen?} ---
  var transcript = load("transcript", []);
  var sender = load("sender", null);

  function renderEntry(entry, index) {
    var item = el("div", "cw-msg cw-msg--" + entry.who);
    if (has(LANGUAGES, entry.lang)) item.lang = entry.lang;
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
    if (entry.who === "bot" && entry.sourceLine) addSourceLine(item, bubble, entry.sourceLine, entry.lang);
    if (entry.buttons && entry.buttons.length) item.appendChild(renderButtons(entry, index));
    log.appendChild(item);
    scrollToEnd();
  }

  function renderButtons(entry, index) {
    var group = el("div", "cw-choices");
    group.setAttribute("role", "group");
    group.setAttribute("aria-label", text.reply_options_label);
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

  function topicButtons() {
    return TOPICS.map(function (topic) { return { title: text.topics[topic.key], payload: topic.payload }; });
  }

  // --- talking to the bot: one request at a time, replies shown in order ---
  var queue = Promise.resolve();

  function scrollToEnd() { log.scrollTop = log.scrollHeight; }

  function setTyping(on) {
    typing.textContent = on ? text.typing : "";
    typing.classList.toggle("cw-typing--on", on);
    scrollToEnd(); // the indicator takes room from the transcript: keep its end in view
  }

  /** The plain error a patient sees instead of a reply, always with the clinic's phone number. */
  function showProblem(tooManyMessages) {
    alertBox.textContent = "";
    var values = { clinic: clinicName(), phone: config.phone ? phoneLink(config.phone) : "" };
    [tooManyMessages ? text.error_too_many : text.error_unreachable,
     config.phone ? text.call_clinic_at : text.call_clinic,
     text.emergency].forEach(function (template, i) {
      if (i) alertBox.appendChild(document.createTextNode(" "));
      appendFilled(alertBox, template, values);
    });
    scrollToEnd();
  }

  function wait(ms) { return new Promise(function (resolve) { setTimeout(resolve, ms); }); }

  function postMessage(message, lang) {
    var controller = new AbortController();
    var timer = setTimeout(function () { controller.abort(); }, config.timeoutMs);
    return fetch(WEBHOOK, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ sender: sender, message: message, language: lang }),
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

  /** Sends one message in the current language (shown to the patient as `shownText`, or not at all when null). */
  function ask(shownText, message, withTopics) {
    var lang = language;
    if (shownText !== null) addEntry({ who: "user", text: shownText, lang: lang });
    queue = queue.then(function () {
      alertBox.textContent = ""; // each message is a new try: an earlier problem no longer applies
      setTyping(true);
      var conversation = sender;
      return postMessage(message, lang).then(function (messages) {
        return messages.reduce(function (previous, m, i) {
          return previous.then(function () {
            if (sender !== conversation) return; // "Start over" was pressed meanwhile: not this conversation's
            var custom = m.custom || {};
            var buttons = (Array.isArray(m.buttons) ? m.buttons : []).filter(function (b) { return b && b.title && b.payload; })
              .map(function (b) { return { title: String(b.title), payload: String(b.payload) }; });
            if (withTopics && i === messages.length - 1 && !buttons.length) buttons = topicButtons();
            addEntry({ who: "bot", text: m.text, lang: has(LANGUAGES, custom.language) ? custom.language : lang,
                       answer: custom.answer ? String(custom.answer) : "",
                       variant: custom.variant ? String(custom.variant) : "",
                       about: custom.about ? String(custom.about) : "", sourceLine: sourceLineOf(custom.source_line),
                       buttons: buttons });
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
    save("language", language); // the conversation keeps its language, on every page, until the patient switches
    transcript = [];
    save("transcript", transcript);
    log.textContent = "";
    alertBox.textContent = "";
    // The bot's first reply carries the disclaimer; the greeting gets the topic buttons.
    return ask(null, "/greet", true);
  }

  /** The patient's choice: kept with the conversation; the widget's texts follow; the assistant greets again. */
  function switchLanguage(code) {
    if (code === language) return;
    language = code;
    save("language", language);
    showLanguage();
    stringsFor(code).then(function (loaded) {
      if (language === code) useStrings(loaded); // (else the patient switched again meanwhile: that switch's)
    }, function () { /* no language's file loads now: the texts shown stay */ }).then(function () {
      if (language !== code) return; // the latest switch greets, once
      if (sender && transcript.length) ask(null, "/greet", true); else startConversation();
    });
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
    var typed = input.value.trim();
    if (!typed) return;
    input.value = "";
    ask(typed, typed);
  });

  // --- start: the stylesheet and the strings load together; the widget appears once the strings are in ---
  function whenBody(then) {
    if (document.body) then(); else document.addEventListener("DOMContentLoaded", then);
  }
  function mount() {
    root.append(launcher, panel);
    document.body.appendChild(root);
    transcript.forEach(renderEntry);
    if (load("open", false)) open(false); // without taking the focus from the page that just loaded
  }
  /** No strings in any language: the clinic's phone number alone, as a call link, where the launcher would be. */
  function mountPhoneOnly() {
    if (!config.phone) return; // no texts and no number: nothing a patient could use
    var call = el("a", "cw-launcher cw-launcher--phone");
    call.href = phoneLink("").href;
    var icon = el("span", "", "\u260e ");
    icon.setAttribute("aria-hidden", "true");
    call.append(icon, document.createTextNode((config.clinic ? config.clinic + ": " : "") + config.phone));
    root.appendChild(call);
    document.body.appendChild(root);
  }

  var css = el("link");
  css.rel = "stylesheet";
  css.href = new URL("widget.css", script.src).href;
  document.head.appendChild(css);
  stringsFor(language).then(function (loaded) {
    useStrings(loaded);
    whenBody(mount);
  }, function () {
    whenBody(mountPhoneOnly);
  });
})();
