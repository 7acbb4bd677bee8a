/*!
 * IOP assistant chat: the conversation itself. It runs in a page of its own (/widget/frame), served from
 * the assistant's origin and shown in an <iframe> by widget.js on a provider's page, so the provider's
 * page, and whatever analytics or session-replay scripts it runs, can read none of it.
 * No dependencies, no build step, no requests except to the Rasa server.
 *
 * Settings, all from the page this script belongs to:
 *   <html data-rasa-url>        Base URL of the Rasa server; messages go to {it}/webhooks/rest/webhook.
 *   <html data-parent-origins>  Who may embed this page (its frame-ancestors): only a parent with one of
 *                               these origins may open or close the chat, and only it is told the state.
 *   ?title= ?phone=             data-title and data-phone of the embedding tag, passed on by widget.js.
 *   ?accent= ?accent-dark=      the embedding page's --iopw-accent colours (#rgb or #rrggbb).
 *
 * Between this frame and widget.js only {type: "iop-widget", command: "hello" | "open" | "close"} comes
 * in and {type: "iop-widget", state: "ready" | "closed", open: true | false} goes out: never a word of
 * the conversation.
 *
 * What the browser keeps, in this frame's own sessionStorage (the provider's page cannot read it, and the
 * tab forgets it when it is closed): the random conversation id and the transcript, so the chat goes on
 * when the person moves to another page of the site. An answer to a question for a name, a phone number
 * or a time to call is shown but never kept: it is stored as "•••". Rasa may mark such a question with
 * "sensitive": true (or custom.sensitive); the texts of the program's own questions are recognised too.
 * "Start over" forgets everything at once.
 */
(function () {
  "use strict";

  // Every text a person reads or hears, from content/widget.yml, written in by the website.
  var TEXTS = /*@texts*/{}/*@end*/;
  // The assistant's questions for a name, a phone number or a time to call, from content/messages.yml.
  var PRIVATE_PROMPTS = /*@private-prompts*/[]/*@end*/;

  if (typeof TEXTS.title !== "string" || !Array.isArray(PRIVATE_PROMPTS)) {
    return;
  }

  var MESSAGE_TYPE = "iop-widget";
  var MASK = "\u2022\u2022\u2022";
  var MAX_CHARS = 1000;
  var COUNTER_FROM = 850;
  var MAX_STORED_MESSAGES = 200;
  var MAX_BUTTONS = 12;
  var MAX_TITLE = 120;
  var REQUEST_TIMEOUT_MS = 45000;

  var page = document.documentElement;
  var rasaUrl = readRasaUrl(page.getAttribute("data-rasa-url"));
  if (!rasaUrl) {
    return;
  }
  var endpoint = rasaUrl + "/webhooks/rest/webhook";
  var parentOrigins = (page.getAttribute("data-parent-origins") || "").split(/\s+/).filter(Boolean);
  var params = new URLSearchParams(window.location.search);
  var title = (params.get("title") || "").trim().slice(0, MAX_TITLE) || TEXTS.title;
  var phone = readPhone(params.get("phone"));
  var embedded = window.parent !== window;
  var parentOrigin = null; // the embedding page's origin, once it has said hello
  var storageKey = "iop-chat:" + rasaUrl;

  var state = loadState();
  var busy = false;
  var generation = 0; // bumped by "Start over" so late replies of the old conversation are dropped
  var nodes = new WeakMap(); // message -> its element in the log
  var ui = null;

  function readRasaUrl(raw) {
    var url;
    try {
      url = new URL((raw || "").trim());
    } catch (e) {
      url = null;
    }
    if (!url || (url.protocol !== "https:" && url.protocol !== "http:")) {
      if (window.console) {
        window.console.error("IOP chat frame: data-rasa-url must be an http(s) URL");
      }
      return "";
    }
    return (url.origin + url.pathname).replace(/\/+$/, "");
  }

  function readPhone(raw) {
    var value = (raw || "").trim();
    return /^[0-9+().\-\s]{7,25}$/.test(value) ? value : "";
  }

  function applyColours() {
    [
      ["accent", "--iopw-accent"],
      ["accent-dark", "--iopw-accent-dark"]
    ].forEach(function (pair) {
      var value = (params.get(pair[0]) || "").trim();
      if (/^#(?:[0-9a-f]{3}|[0-9a-f]{6})$/i.test(value)) {
        page.style.setProperty(pair[1], value);
      }
    });
  }

  /* ---------- the embedding page: a few control messages, never any content ---------- */

  function originAllowed(origin) {
    var ancestors = window.location.ancestorOrigins;
    // The browser's own list of who embeds us; "null" when the parent withholds its origin.
    if (ancestors && ancestors.length && ancestors[0] !== "null" && ancestors[0] !== origin) {
      return false;
    }
    return parentOrigins.some(function (allowed) {
      if (allowed === "'self'") {
        return origin === window.location.origin;
      }
      var wildcard = /^(https?:)\/\/\*\.([a-z0-9.\-]+)(?::(\d+))?$/.exec(allowed);
      if (!wildcard) {
        return origin === allowed;
      }
      var url;
      try {
        url = new URL(origin);
      } catch (e) {
        return false;
      }
      var suffix = "." + wildcard[2];
      return (
        url.protocol === wildcard[1] &&
        url.hostname.length > suffix.length &&
        url.hostname.slice(-suffix.length) === suffix &&
        url.port === (wildcard[3] || "")
      );
    });
  }

  function onParentMessage(event) {
    if (!embedded || event.source !== window.parent) {
      return;
    }
    var data = event.data;
    if (!data || typeof data !== "object" || data.type !== MESSAGE_TYPE || typeof data.command !== "string") {
      return;
    }
    if (parentOrigin === null) {
      if (!originAllowed(event.origin)) {
        return;
      }
      parentOrigin = event.origin;
    } else if (event.origin !== parentOrigin) {
      return;
    }
    if (data.command === "hello") {
      tell("ready");
    } else if (data.command === "open") {
      openPanel(data.focus === true);
    } else if (data.command === "close") {
      closePanel(false);
    }
  }

  // Only the open/closed state goes out, and only to the origin that said hello.
  function tell(name) {
    if (embedded && parentOrigin) {
      window.parent.postMessage({ type: MESSAGE_TYPE, state: name, open: state.open }, parentOrigin);
    }
  }

  /* ---------- conversation state (this frame's sessionStorage) ---------- */

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
    return { v: 2, id: newId(), open: false, greeted: false, privateNext: false, messages: [] };
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
      chosen: typeof m.chosen === "number" ? m.chosen : -1,
      private: m.private === true
    };
    return msg.text || msg.buttons.length || msg.image ? msg : null;
  }

  // A message as it is kept: the answer to a private question as a mask, and no trace of which of its
  // buttons (a time to call) was chosen.
  function storedMessage(msg) {
    var hidden = msg.private === true;
    return {
      from: msg.from,
      text: hidden && msg.from === "user" ? MASK : msg.text,
      buttons: msg.buttons,
      image: msg.image,
      used: msg.used,
      chosen: hidden ? -1 : msg.chosen,
      private: hidden
    };
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
      v: 2,
      id: saved.id,
      open: saved.open === true,
      greeted: saved.greeted === true,
      privateNext: saved.privateNext === true,
      messages: messages
    };
  }

  function saveState() {
    if (state.messages.length > MAX_STORED_MESSAGES) {
      state.messages = state.messages.slice(-MAX_STORED_MESSAGES);
    }
    var stored = {
      v: 2,
      id: state.id,
      open: state.open,
      greeted: state.greeted,
      privateNext: state.privateNext,
      messages: state.messages.map(storedMessage)
    };
    try {
      window.sessionStorage.setItem(storageKey, JSON.stringify(stored));
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

  // A reply that asks for a name, a phone number or a time to call.
  function asksPrivate(item) {
    if (!item || typeof item !== "object") {
      return false;
    }
    if (item.sensitive === true || (item.custom && typeof item.custom === "object" && item.custom.sensitive === true)) {
      return true;
    }
    return typeof item.text === "string" && PRIVATE_PROMPTS.indexOf(item.text.trim()) >= 0;
  }

  /* ---------- DOM helpers (text only: no HTML is ever parsed from messages) ---------- */

  // Fills the {placeholders} a text leaves for the browser, such as {phone} from data-phone.
  function fill(text, values) {
    return text.replace(/\{([a-z_]+)\}/g, function (whole, name) {
      return Object.prototype.hasOwnProperty.call(values, name) ? String(values[name]) : whole;
    });
  }

  /*@dom*/

  var ICON_PATHS = {
      close: "M6 6l12 12M18 6L6 18",
      send: "M4 12h15M13 6l6 6-6 6"
    };

  function icon(name) {
    return svgIcon(ICON_PATHS[name], name);
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

  /* ---------- building the chat ---------- */

  function init() {
    document.title = title;
    applyColours();

    var restart = el("button", { type: "button", className: "iopw-restart", text: TEXTS.start_over });
    var closeBtn = el("button", { type: "button", className: "iopw-close", "aria-label": TEXTS.close_label }, [
      icon("close")
    ]);
    // Without a page around it there is nothing to close back to.
    closeBtn.hidden = !embedded;
    // Two rows in reading (and Tab) order: title and Close, then the subtitle and "Start over".
    var header = el("div", { className: "iopw-header" }, [
      el("div", { className: "iopw-header-row" }, [el("h1", { className: "iopw-title", text: title }), closeBtn]),
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

    ui = {
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
    updateCounter();

    closeBtn.addEventListener("click", function () {
      closePanel(true);
    });
    restart.addEventListener("click", startOver);
    document.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && embedded && !panel.hidden) {
        event.preventDefault();
        closePanel(true);
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

    document.body.appendChild(panel);
    window.addEventListener("message", onParentMessage);

    if (state.open || !embedded) {
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

  // notify: tell the embedding page, which hides the frame and puts focus back on its chat button.
  function closePanel(notify) {
    ui.panel.hidden = true;
    state.open = false;
    saveState();
    if (notify) {
      tell("closed");
    }
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
    updateCounter();
    autosize();
    send(message, message, {
      onFail: function () {
        // Put the text back so nothing is lost; anything typed meanwhile is kept after it.
        var current = ui.input.value;
        ui.input.value = current.trim() ? text + "\n" + current : text;
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
      userMessage = addMessage({
        from: "user",
        text: shownText,
        buttons: [],
        image: "",
        used: false,
        chosen: -1,
        private: state.privateNext === true
      });
    }
    saveState();
    setBusy(true);
    request(payload)
      .then(
        function (reply) {
          return { ok: true, replies: reply.messages, privateNext: reply.privateNext };
        },
        function () {
          return { ok: false, replies: [], privateNext: false };
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
        state.privateNext = result.privateNext;
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
        var messages = [];
        var privateNext = false;
        data.forEach(function (item) {
          var asks = asksPrivate(item);
          privateNext = privateNext || asks;
          var msg = cleanMessage({
            from: "bot",
            text: item && item.text,
            buttons: item && item.buttons,
            image: item && item.image,
            private: asks
          });
          if (msg) {
            messages.push(msg);
          }
        });
        return { messages: messages, privateNext: privateNext };
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
