/*!
 * IOP assistant chat widget. Self-contained: no dependencies, no build step, no third-party requests.
 * One file of about 800 lines on purpose: a provider's page includes a single script, with nothing to build.
 *
 * Add it to any page of your site by pasting this tag (before </body>, or in <head>: it is deferred):
 *
 *   <script src="https://BOT-HOST/widget/widget.js"
 *           data-rasa-url="https://BOT-HOST:5005"
 *           data-title="Questions about our program?"
 *           defer></script>
 *
 * Attributes:
 *   data-rasa-url  Base URL of the Rasa server (required). Messages go to {data-rasa-url}/webhooks/rest/webhook.
 *   data-title     Text of the chat button and title of the chat window (default: the title in content/widget.yml,
 *                  "Questions about our program?").
 *   data-phone     Admissions phone number, shown when the assistant cannot be reached (optional).
 *
 * If your site sends a Content-Security-Policy header, allow https://BOT-HOST in script-src and style-src,
 * and https://BOT-HOST:5005 in connect-src. For phones, your pages should have
 * <meta name="viewport" content="width=device-width, initial-scale=1">.
 * Colours follow the CSS custom properties --iopw-accent (background of the chat button, the header and
 * your messages; white text sits on it, so keep a contrast of at least 4.5:1) and --iopw-accent-dark.
 *
 * The conversation (a random id and the transcript) is kept in sessionStorage: it survives a reload and
 * is forgotten when the tab is closed. "Start over" forgets it at once.
 */
(function () {
  "use strict";

  // Every text a person reads or hears, from content/widget.yml: the website writes them in place of the
  // marker when it serves this file. Without them there would be nothing to show, so the widget stays out.
  var TEXTS = /*@texts*/{}/*@end*/;

  var script = document.currentScript;
  if (!script || window.__iopChatWidgetLoaded || typeof TEXTS.title !== "string") {
    return;
  }
  window.__iopChatWidgetLoaded = true;

  var MAX_CHARS = 1000;
  var COUNTER_FROM = 850;
  var MAX_STORED_MESSAGES = 200;
  var MAX_BUTTONS = 12;
  var REQUEST_TIMEOUT_MS = 45000;
  var SVG_NS = "http://www.w3.org/2000/svg";

  var scriptUrl = new URL(script.src, document.baseURI);
  var rasaUrl = readRasaUrl();
  if (!rasaUrl) {
    return;
  }
  var endpoint = rasaUrl + "/webhooks/rest/webhook";
  var title = (script.getAttribute("data-title") || "").trim() || TEXTS.title;
  var phone = (script.getAttribute("data-phone") || "").trim();
  var storageKey = "iop-chat:" + rasaUrl;

  var state = loadState();
  var busy = false;
  var generation = 0; // bumped by "Start over" so late replies of the old conversation are dropped
  var nodes = new WeakMap(); // message -> its element in the log
  var ui = null;

  function readRasaUrl() {
    var raw = (script.getAttribute("data-rasa-url") || "").trim();
    var url;
    try {
      url = raw ? new URL(raw, document.baseURI) : new URL("/", scriptUrl);
    } catch (e) {
      url = null;
    }
    if (!url || (url.protocol !== "https:" && url.protocol !== "http:")) {
      if (window.console) {
        window.console.error("IOP chat widget: data-rasa-url must be an http(s) URL");
      }
      return "";
    }
    return (url.origin + url.pathname).replace(/\/+$/, "");
  }

  /* ---------- conversation state (sessionStorage) ---------- */

  function newId() {
    var bytes = new Uint8Array(16); // 128 random bits
    window.crypto.getRandomValues(bytes);
    var hex = "";
    for (var i = 0; i < bytes.length; i++) {
      hex += (bytes[i] < 16 ? "0" : "") + bytes[i].toString(16);
    }
    return "web-" + hex;
  }

  function newState() {
    return { v: 1, id: newId(), open: false, greeted: false, draft: "", messages: [] };
  }

  function cleanButtons(list) {
    if (!Array.isArray(list)) {
      return [];
    }
    var out = [];
    for (var i = 0; i < list.length && out.length < MAX_BUTTONS; i++) {
      var b = list[i];
      if (b && typeof b.title === "string" && b.title.trim() && typeof b.payload === "string" && b.payload) {
        out.push({ title: b.title, payload: b.payload });
      }
    }
    return out;
  }

  function cleanMessage(m) {
    if (!m || (m.from !== "bot" && m.from !== "user")) {
      return null;
    }
    var msg = {
      from: m.from,
      text: typeof m.text === "string" ? m.text : "",
      buttons: m.from === "bot" ? cleanButtons(m.buttons) : [],
      image: typeof m.image === "string" && /^https?:\/\//i.test(m.image) ? m.image : "",
      used: m.used === true,
      chosen: typeof m.chosen === "number" ? m.chosen : -1
    };
    return msg.text || msg.buttons.length || msg.image ? msg : null;
  }

  function loadState() {
    var saved = null;
    try {
      saved = JSON.parse(window.sessionStorage.getItem(storageKey) || "null");
    } catch (e) {
      saved = null;
    }
    if (!saved || typeof saved.id !== "string" || !/^web-[0-9a-f]{32,64}$/.test(saved.id)) {
      return newState();
    }
    var messages = [];
    (Array.isArray(saved.messages) ? saved.messages : []).forEach(function (m) {
      var msg = cleanMessage(m);
      if (msg) {
        messages.push(msg);
      }
    });
    return {
      v: 1,
      id: saved.id,
      open: saved.open === true,
      greeted: saved.greeted === true,
      draft: typeof saved.draft === "string" ? saved.draft.slice(0, MAX_CHARS) : "",
      messages: messages
    };
  }

  function saveState() {
    if (state.messages.length > MAX_STORED_MESSAGES) {
      state.messages = state.messages.slice(-MAX_STORED_MESSAGES);
    }
    try {
      window.sessionStorage.setItem(storageKey, JSON.stringify(state));
    } catch (e) {
      // Storage blocked or full: the conversation still works for this page view.
    }
  }

  function forgetState() {
    try {
      window.sessionStorage.removeItem(storageKey);
    } catch (e) {
      // nothing stored
    }
  }

  /* ---------- DOM helpers (text only: no HTML is ever parsed from messages) ---------- */

  // Fills the {placeholders} a text leaves for the browser, such as {phone} from data-phone.
  function fill(text, values) {
    return text.replace(/\{([a-z_]+)\}/g, function (whole, name) {
      return Object.prototype.hasOwnProperty.call(values, name) ? String(values[name]) : whole;
    });
  }

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (key) {
      var value = attrs[key];
      if (value === null || value === undefined || value === false) {
        return;
      }
      if (key === "text") {
        node.textContent = value;
      } else if (key === "className") {
        node.className = value;
      } else {
        node.setAttribute(key, value === true ? "" : String(value));
      }
    });
    (children || []).forEach(function (child) {
      node.appendChild(typeof child === "string" ? document.createTextNode(child) : child);
    });
    return node;
  }

  function icon(name) {
    var paths = {
      chat: "M21 11.5a8.4 8.4 0 0 1-9 8.4 9 9 0 0 1-3.9-.9L3 20.5l1.5-4.3A8 8 0 0 1 3 11.5 8.6 8.6 0 0 1 12 3a8.6 8.6 0 0 1 9 8.5z",
      close: "M6 6l12 12M18 6L6 18",
      down: "M6 9l6 6 6-6",
      send: "M4 12h15M13 6l6 6-6 6"
    };
    var svg = document.createElementNS(SVG_NS, "svg");
    svg.setAttribute("viewBox", "0 0 24 24");
    svg.setAttribute("aria-hidden", "true");
    svg.setAttribute("focusable", "false");
    svg.setAttribute("class", "iopw-icon iopw-icon--" + name);
    var path = document.createElementNS(SVG_NS, "path");
    path.setAttribute("d", paths[name]);
    svg.appendChild(path);
    return svg;
  }

  // Web links and phone numbers in a text become links; everything else stays plain text.
  var LINKABLE = /https?:\/\/[^\s<>"']+|\(\d{3}\)\s?\d{3}-\d{4}\b|\b1-\d{3}-\d{3}-\d{4}\b|\b\d{3}-\d{3}-\d{4}\b|\b(?:988|911)\b/g;

  function telHref(text) {
    var digits = text.replace(/\D/g, "");
    if (digits.length === 10) {
      digits = "1" + digits;
    }
    return digits.length > 3 ? "tel:+" + digits : "tel:" + digits;
  }

  function appendText(parent, text) {
    var last = 0;
    var match;
    LINKABLE.lastIndex = 0;
    while ((match = LINKABLE.exec(text)) !== null) {
      var found = match[0];
      var isWeb = /^https?:/i.test(found);
      if (isWeb) {
        found = found.replace(/[.,;:!?)\]}'"]+$/, "");
      }
      if (match.index > last) {
        parent.appendChild(document.createTextNode(text.slice(last, match.index)));
      }
      var link = el("a", {
        href: isWeb ? found : telHref(found),
        text: found,
        className: isWeb ? "iopw-link" : "iopw-link iopw-link--tel"
      });
      if (isWeb) {
        link.setAttribute("target", "_blank");
        link.setAttribute("rel", "noopener noreferrer");
      }
      parent.appendChild(link);
      last = match.index + found.length;
      LINKABLE.lastIndex = last;
    }
    if (last < text.length) {
      parent.appendChild(document.createTextNode(text.slice(last)));
    }
  }

  /* ---------- building the widget ---------- */

  function init() {
    var host = el("div", { id: "iop-chat-widget", "data-iop-chat": "" });
    host.hidden = true; // shown once the stylesheet has loaded, to avoid a flash of unstyled content
    var root = host.attachShadow({ mode: "open" });

    var cssUrl = new URL("widget.css", scriptUrl);
    cssUrl.search = scriptUrl.search;
    var stylesheet = el("link", { rel: "stylesheet", href: cssUrl.href });
    var reveal = function () {
      host.hidden = false;
    };
    stylesheet.addEventListener("load", reveal);
    stylesheet.addEventListener("error", reveal);
    window.setTimeout(reveal, 4000);

    var launcher = el(
      "button",
      {
        type: "button",
        className: "iopw-launcher",
        "aria-expanded": "false",
        "aria-controls": "iopw-panel",
        "aria-haspopup": "dialog"
      },
      [icon("chat"), icon("down"), el("span", { className: "iopw-launcher-label", text: title })]
    );

    var restart = el("button", { type: "button", className: "iopw-restart", text: TEXTS.start_over });
    var closeBtn = el("button", { type: "button", className: "iopw-close", "aria-label": TEXTS.close_label }, [
      icon("close")
    ]);
    // Two rows in reading (and Tab) order: title and Close, then the subtitle and "Start over".
    var header = el("div", { className: "iopw-header" }, [
      el("div", { className: "iopw-header-row" }, [el("h2", { className: "iopw-title", text: title }), closeBtn]),
      el("div", { className: "iopw-header-row" }, [
        el("p", { className: "iopw-subtitle", text: TEXTS.subtitle }),
        restart
      ])
    ]);

    var notice = buildNotice();
    var log = el("div", {
      className: "iopw-log",
      role: "log",
      "aria-live": "polite",
      "aria-relevant": "additions",
      "aria-label": TEXTS.conversation_label
    });
    var typing = el("div", { className: "iopw-typing", role: "status", "aria-live": "polite" });
    var scroller = el("div", { className: "iopw-scroll" }, [notice, log, typing]);

    var input = el("textarea", {
      id: "iopw-input",
      className: "iopw-input",
      rows: "1",
      maxlength: String(MAX_CHARS),
      placeholder: TEXTS.input_placeholder,
      autocomplete: "off",
      "aria-describedby": "iopw-counter"
    });
    var label = el("label", { for: "iopw-input", className: "iopw-sr-only", text: TEXTS.input_label });
    var send = el("button", { type: "submit", className: "iopw-send", "aria-label": TEXTS.send_label }, [icon("send")]);
    var counter = el("div", { id: "iopw-counter", className: "iopw-counter" });
    counter.hidden = true;
    var form = el("form", { className: "iopw-composer", novalidate: true }, [
      label,
      el("div", { className: "iopw-input-row" }, [input, send]),
      counter
    ]);

    var panel = el(
      "div",
      {
        id: "iopw-panel",
        className: "iopw-panel",
        role: "dialog",
        "aria-label": title,
        "aria-describedby": "iopw-notice",
        tabindex: "-1"
      },
      [header, scroller, form]
    );
    panel.hidden = true;

    root.appendChild(stylesheet);
    root.appendChild(launcher);
    root.appendChild(panel);

    ui = {
      host: host,
      root: root,
      launcher: launcher,
      panel: panel,
      scroller: scroller,
      log: log,
      typing: typing,
      input: input,
      send: send,
      counter: counter
    };

    // Restore the transcript before the log is in the page, so screen readers don't re-announce it.
    state.messages.forEach(function (msg) {
      log.appendChild(renderMessage(msg));
    });
    input.value = state.draft || "";
    updateCounter();

    launcher.addEventListener("click", function () {
      if (panel.hidden) {
        openPanel(true);
      } else {
        closePanel();
      }
    });
    closeBtn.addEventListener("click", closePanel);
    restart.addEventListener("click", startOver);
    root.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && !panel.hidden) {
        event.preventDefault();
        event.stopPropagation();
        closePanel();
      }
    });
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      submitInput();
    });
    input.addEventListener("keydown", function (event) {
      if (event.key === "Enter" && !event.shiftKey && !event.isComposing && event.keyCode !== 229) {
        event.preventDefault();
        submitInput();
      }
    });
    input.addEventListener("input", function () {
      state.draft = input.value;
      saveState();
      updateCounter();
      autosize();
    });
    // A taller text box or the counter must not push the newest message out of view.
    if (typeof ResizeObserver === "function") {
      var lastHeight = 0;
      new ResizeObserver(function () {
        var height = scroller.clientHeight;
        if (height < lastHeight) {
          scroller.scrollTop += lastHeight - height;
        }
        lastHeight = height;
      }).observe(scroller);
    }

    document.body.appendChild(host);

    if (state.open) {
      openPanel(false);
    }
  }

  // Who answers, that it is not for emergencies (the crisis numbers become call links), and privacy.
  function buildNotice() {
    var intro = el("p");
    appendText(intro, TEXTS.notice_intro);
    var crisis = el("p", { className: "iopw-notice-crisis" }, [el("strong", { text: TEXTS.notice_not_emergency })]);
    appendText(crisis, " " + TEXTS.notice_crisis);
    var privacy = el("p", { className: "iopw-notice-privacy" });
    appendText(privacy, TEXTS.notice_privacy);
    return el("div", { id: "iopw-notice", className: "iopw-notice" }, [intro, crisis, privacy]);
  }

  function renderMessage(msg) {
    var speaker =
      msg.from === "user" ? TEXTS.speaker_user : msg.from === "error" ? TEXTS.speaker_error : TEXTS.speaker_assistant;
    var item = el("div", { className: "iopw-msg iopw-msg--" + msg.from });
    var bubble = el("div", { className: "iopw-bubble" }, [el("span", { className: "iopw-sr-only", text: speaker + ": " })]);
    if (msg.text) {
      var text = el("span", { className: "iopw-text" });
      appendText(text, msg.text);
      bubble.appendChild(text);
    }
    if (msg.image) {
      var imageLink = el("a", { className: "iopw-link", href: msg.image, target: "_blank", rel: "noopener noreferrer", text: TEXTS.open_image });
      bubble.appendChild(msg.text ? el("span", { className: "iopw-image" }, [imageLink]) : imageLink);
    }
    item.appendChild(bubble);
    if (msg.buttons && msg.buttons.length) {
      var group = el("div", { className: "iopw-choices", role: "group", "aria-label": TEXTS.suggested_replies_label });
      msg.buttons.forEach(function (button, index) {
        var choice = el("button", { type: "button", className: "iopw-choice", text: button.title });
        choice.addEventListener("click", function (event) {
          choose(msg, index, event);
        });
        group.appendChild(choice);
      });
      item.appendChild(group);
    }
    if (msg.retry) {
      var retry = el("button", { type: "button", className: "iopw-choice iopw-retry", text: TEXTS.try_again });
      retry.addEventListener("click", function (event) {
        if (busy) {
          return;
        }
        removeMessage(msg);
        msg.retry(event);
      });
      item.appendChild(el("div", { className: "iopw-choices" }, [retry]));
    }
    nodes.set(msg, item);
    refreshChoices(msg);
    return item;
  }

  function refreshChoices(msg) {
    var item = nodes.get(msg);
    if (!item || !msg.buttons || !msg.buttons.length) {
      return;
    }
    var buttons = item.querySelectorAll(".iopw-choice");
    for (var i = 0; i < buttons.length; i++) {
      buttons[i].disabled = msg.used;
      buttons[i].classList.toggle("iopw-choice--chosen", msg.used && msg.chosen === i);
    }
  }

  /* ---------- open / close ---------- */

  function openPanel(moveFocus) {
    ui.panel.hidden = false;
    ui.launcher.setAttribute("aria-expanded", "true");
    ui.host.classList.add("iopw-open");
    if (!state.open) {
      state.open = true;
      saveState();
    }
    autosize();
    scrollToEnd(null);
    if (moveFocus) {
      // On touch screens, focusing the text box would pop up the keyboard over the greeting.
      var coarse = window.matchMedia && window.matchMedia("(pointer: coarse)").matches;
      (coarse ? ui.panel : ui.input).focus({ preventScroll: true });
    }
    if (!state.greeted && state.messages.length === 0) {
      greet();
    }
  }

  function closePanel() {
    ui.panel.hidden = true;
    ui.launcher.setAttribute("aria-expanded", "false");
    ui.host.classList.remove("iopw-open");
    state.open = false;
    saveState();
    ui.launcher.focus();
  }

  function startOver() {
    generation += 1;
    setBusy(false);
    forgetState();
    state = newState();
    state.open = true;
    ui.log.textContent = "";
    ui.input.value = "";
    updateCounter();
    autosize();
    saveState();
    ui.input.focus({ preventScroll: true });
    greet();
  }

  /* ---------- sending ---------- */

  function greet() {
    send("/greet", null, {
      greeting: true,
      onFail: function () {
        return function retryGreeting() {
          greet();
        };
      }
    });
  }

  function submitInput() {
    var text = ui.input.value;
    if (!text.trim()) {
      ui.input.value = "";
      updateCounter();
      ui.input.focus();
      return;
    }
    if (busy) {
      return; // the text stays in the box; it can be sent when the current reply has arrived
    }
    var message = text.trim();
    ui.input.value = "";
    state.draft = "";
    updateCounter();
    autosize();
    send(message, message, {
      onFail: function () {
        // Put the text back so nothing is lost; anything typed meanwhile is kept after it.
        var current = ui.input.value;
        ui.input.value = current.trim() ? text + "\n" + current : text;
        state.draft = ui.input.value;
        saveState();
        updateCounter();
        autosize();
        return null;
      }
    });
  }

  function choose(msg, index, event) {
    if (busy || msg.used) {
      return;
    }
    var button = msg.buttons[index];
    var keyboard = event && event.detail === 0; // activated with Enter/Space rather than a pointer
    send(button.payload, button.title, { chosenMessage: msg, chosenIndex: index });
    (keyboard ? ui.input : ui.panel).focus({ preventScroll: true });
  }

  function markChoicesUsed(chosenMessage, chosenIndex) {
    var changed = [];
    state.messages.forEach(function (msg) {
      if (msg.buttons && msg.buttons.length && !msg.used) {
        msg.used = true;
        msg.chosen = msg === chosenMessage ? chosenIndex : -1;
        changed.push(msg);
        refreshChoices(msg);
      }
    });
    return changed;
  }

  function send(payload, shownText, options) {
    if (busy) {
      return;
    }
    var myGeneration = generation;
    var usedNow = markChoicesUsed(options.chosenMessage, options.chosenIndex);
    var userMessage = null;
    if (shownText !== null) {
      userMessage = addMessage({ from: "user", text: shownText, buttons: [], image: "", used: false, chosen: -1 });
    }
    saveState();
    setBusy(true);
    request(payload)
      .then(
        function (replies) {
          return { ok: true, replies: replies };
        },
        function () {
          return { ok: false, replies: [] };
        }
      )
      .then(function (result) {
        if (myGeneration !== generation) {
          return; // "Start over" was pressed meanwhile
        }
        setBusy(false);
        if (!result.ok) {
          usedNow.forEach(function (msg) {
            msg.used = false;
            msg.chosen = -1;
            refreshChoices(msg);
          });
          if (userMessage) {
            removeMessage(userMessage);
          }
          var retry = options.onFail ? options.onFail() : null;
          showError(retry);
          saveState();
          return;
        }
        if (options.greeting) {
          state.greeted = true;
        }
        var first = null;
        result.replies.forEach(function (reply) {
          var item = addMessage(reply);
          first = first || nodes.get(item);
        });
        saveState();
        scrollToEnd(first);
      });
  }

  function request(message) {
    var controller = typeof AbortController === "function" ? new AbortController() : null;
    var timer = controller
      ? window.setTimeout(function () {
          controller.abort();
        }, REQUEST_TIMEOUT_MS)
      : null;
    return window
      .fetch(endpoint, {
        method: "POST",
        mode: "cors",
        credentials: "omit",
        cache: "no-store",
        referrerPolicy: "no-referrer",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ sender: state.id, message: message }),
        signal: controller ? controller.signal : undefined
      })
      .then(function (response) {
        if (!response.ok) {
          throw new Error("HTTP " + response.status);
        }
        return response.json();
      })
      .then(function (data) {
        if (!Array.isArray(data)) {
          throw new Error("unexpected reply");
        }
        var replies = [];
        data.forEach(function (item) {
          var msg = cleanMessage({
            from: "bot",
            text: item && item.text,
            buttons: item && item.buttons,
            image: item && item.image
          });
          if (msg) {
            replies.push(msg);
          }
        });
        return replies;
      })
      .finally(function () {
        if (timer) {
          window.clearTimeout(timer);
        }
      });
  }

  function addMessage(msg) {
    state.messages.push(msg);
    var item = renderMessage(msg);
    ui.log.appendChild(item);
    scrollToEnd(item);
    return msg;
  }

  function removeMessage(msg) {
    var index = state.messages.indexOf(msg);
    if (index >= 0) {
      state.messages.splice(index, 1);
    }
    var item = nodes.get(msg);
    if (item && item.parentNode) {
      item.parentNode.removeChild(item);
    }
  }

  function showError(retry) {
    var sorry = phone ? fill(TEXTS.connection_error_with_phone, { phone: phone }) : TEXTS.connection_error;
    var text = sorry + " " + TEXTS.crisis;
    // Shown in the log but not stored: it says nothing about the conversation itself.
    var msg = { from: "error", text: text, buttons: [], image: "", used: false, chosen: -1, retry: retry };
    var item = renderMessage(msg);
    ui.log.appendChild(item);
    scrollToEnd(item);
  }

  function setBusy(value) {
    busy = value;
    ui.typing.textContent = "";
    if (value) {
      ui.send.setAttribute("aria-disabled", "true");
      ui.typing.appendChild(
        el("span", { className: "iopw-dots", "aria-hidden": "true" }, [el("span"), el("span"), el("span")])
      );
      ui.typing.appendChild(el("span", { className: "iopw-sr-only", text: TEXTS.typing }));
      scrollToEnd(null);
    } else {
      ui.send.removeAttribute("aria-disabled");
    }
  }

  /* ---------- layout details ---------- */

  function updateCounter() {
    var left = MAX_CHARS - ui.input.value.length;
    if (ui.input.value.length >= COUNTER_FROM) {
      ui.counter.hidden = false;
      ui.counter.textContent = left === 1 ? TEXTS.characters_left_one : fill(TEXTS.characters_left, { count: left });
      ui.counter.classList.toggle("iopw-counter--full", left <= 0);
    } else {
      ui.counter.hidden = true;
      ui.counter.textContent = "";
    }
  }

  function autosize() {
    var input = ui.input;
    input.style.height = "auto";
    input.style.height = Math.min(input.scrollHeight + 2, 128) + "px";
  }

  // Keep the newest content in view; a long reply is shown from its first line.
  function scrollToEnd(firstNew) {
    var scroller = ui.scroller;
    if (ui.panel.hidden) {
      return;
    }
    var bottom = scroller.scrollHeight - scroller.clientHeight;
    if (firstNew && firstNew.offsetTop - 12 < bottom) {
      scroller.scrollTop = Math.max(0, Math.min(bottom, firstNew.offsetTop - 12));
    } else {
      scroller.scrollTop = bottom;
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
