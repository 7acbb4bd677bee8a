/*!
 * IOP assistant chat widget: the loader. No dependencies, no build step, no third-party requests.
 *
 * Add it to any page of your site by pasting this tag (before </body>, or in <head>: it is deferred):
 *
 *   <script src="https://BOT-HOST/widget/widget.js"
 *           data-title="Questions about our program?"
 *           data-phone="(410) 555-0142"
 *           defer></script>
 *
 * Attributes:
 *   data-title     Text of the chat button and title of the chat window (default: the title in content/widget.yml,
 *                  "Questions about our program?").
 *   data-phone     Admissions phone number, shown when the assistant cannot be reached (optional).
 *   data-rasa-url  Accepted for older snippets and ignored: the chat talks to the Rasa server its own website
 *                  is configured with.
 *
 * This script only adds the chat button and an <iframe> with the chat, served from https://BOT-HOST itself:
 * what a person types stays inside that frame, out of reach of this page and of every script on it. This
 * script never sees a message; it and the frame exchange only "open", "close" and "ready" notes, each
 * checked against the other's origin.
 *
 * Your site's origin must be in the assistant's WIDGET_FRAME_ANCESTORS setting, or the browser will not show
 * the chat in your pages. If your site sends a Content-Security-Policy header, allow https://BOT-HOST in
 * script-src, style-src and frame-src. For phones, your pages should have
 * <meta name="viewport" content="width=device-width, initial-scale=1">.
 * Colours follow the CSS custom properties --iopw-accent (background of the chat button, the header and
 * your messages; white text sits on it, so keep a contrast of at least 4.5:1) and --iopw-accent-dark, as
 * #rgb or #rrggbb values.
 */
(function () {
  "use strict";

  // The texts this script shows, from content/widget.yml: the website writes them in place of the marker
  // when it serves this file. Without them there would be nothing to show, so the widget stays out.
  var TEXTS = /*@texts*/{}/*@end*/;

  var script = document.currentScript;
  if (!script || window.__iopChatWidgetLoaded || typeof TEXTS.title !== "string") {
    return;
  }
  window.__iopChatWidgetLoaded = true;

  var MESSAGE_TYPE = "iop-widget";
  // Scripts and storage of the chat's own origin, its message form, and popups (call and web links).
  var SANDBOX = "allow-scripts allow-same-origin allow-forms allow-popups";
  var FRAME_TIMEOUT_MS = 10000;
  var MAX_TITLE = 120;

  var scriptUrl = new URL(script.src, document.baseURI);
  if (scriptUrl.protocol !== "https:" && scriptUrl.protocol !== "http:") {
    return;
  }
  var frameOrigin = scriptUrl.origin; // the only origin the frame may have, and the only one we answer
  var title = (script.getAttribute("data-title") || "").trim().slice(0, MAX_TITLE) || TEXTS.title;
  var phone = (script.getAttribute("data-phone") || "").trim();

  var open = false; // is the chat shown
  var ready = false; // has the frame answered hello since it last loaded
  var focusOnReady = false;
  var fallbackTimer = null;
  var ui = null;

  /*@dom*/

  var ICON_PATHS = {
      chat: "M21 11.5a8.4 8.4 0 0 1-9 8.4 9 9 0 0 1-3.9-.9L3 20.5l1.5-4.3A8 8 0 0 1 3 11.5 8.6 8.6 0 0 1 12 3a8.6 8.6 0 0 1 9 8.5z",
      down: "M6 9l6 6 6-6"
    };

  function icon(name) {
    return svgIcon(ICON_PATHS[name], name);
  }

  // Phone numbers in the fallback text become call links.
  var PHONE = /\(\d{3}\)\s?\d{3}-\d{4}\b|\b1-\d{3}-\d{3}-\d{4}\b|\b\d{3}-\d{3}-\d{4}\b|\b(?:988|911)\b/g;

  function appendText(parent, text) {
    var last = 0;
    var match;
    PHONE.lastIndex = 0;
    while ((match = PHONE.exec(text)) !== null) {
      var digits = match[0].replace(/\D/g, "");
      if (digits.length === 10) {
        digits = "1" + digits;
      }
      if (match.index > last) {
        parent.appendChild(document.createTextNode(text.slice(last, match.index)));
      }
      parent.appendChild(
        el("a", { className: "iopw-link", href: (digits.length > 3 ? "tel:+" : "tel:") + digits, text: match[0] })
      );
      last = match.index + match[0].length;
    }
    if (last < text.length) {
      parent.appendChild(document.createTextNode(text.slice(last)));
    }
  }

  // The frame's address: next to this script, with the embedding tag's title, phone and colours.
  function frameUrl(host) {
    var url = new URL("frame", scriptUrl);
    url.search = scriptUrl.search;
    if ((script.getAttribute("data-title") || "").trim()) {
      url.searchParams.set("title", title);
    }
    if (phone) {
      url.searchParams.set("phone", phone);
    }
    var style = window.getComputedStyle(host);
    [
      ["accent", "--iopw-accent"],
      ["accent-dark", "--iopw-accent-dark"]
    ].forEach(function (pair) {
      var value = style.getPropertyValue(pair[1]).trim();
      if (/^#(?:[0-9a-f]{3}|[0-9a-f]{6})$/i.test(value)) {
        url.searchParams.set(pair[0], value);
      }
    });
    return url.href;
  }

  /* ---------- talking to the frame: control notes only ---------- */

  function post(command, extra) {
    var message = { type: MESSAGE_TYPE, command: command };
    Object.keys(extra || {}).forEach(function (key) {
      message[key] = extra[key];
    });
    if (ui.frame.contentWindow) {
      ui.frame.contentWindow.postMessage(message, frameOrigin);
    }
  }

  function onFrameMessage(event) {
    if (!ui || event.source !== ui.frame.contentWindow || event.origin !== frameOrigin) {
      return;
    }
    var data = event.data;
    if (!data || typeof data !== "object" || data.type !== MESSAGE_TYPE) {
      return;
    }
    if (data.state === "ready") {
      ready = true;
      clearFallbackTimer();
      ui.fallback.hidden = true;
      ui.host.classList.remove("iopw-failed");
      if (open) {
        ui.frame.hidden = false;
        post("open", { focus: focusOnReady });
        focusOnReady = false;
      } else if (data.open === true) {
        show(false); // the chat was open on the page before this one
      }
    } else if (data.state === "closed") {
      hide(false);
    }
  }

  /* ---------- building the widget ---------- */

  function init() {
    var host = el("div", { id: "iop-chat-widget", "data-iop-chat": "" });
    host.hidden = true; // shown once the stylesheet has loaded, to avoid a flash of unstyled content
    var root = host.attachShadow({ mode: "open" }); // holds nothing but the button and the frame

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
        "aria-controls": "iopw-frame"
      },
      [icon("chat"), icon("down"), el("span", { className: "iopw-launcher-label", text: title })]
    );

    // When the chat cannot be shown at all, the way to a person and the crisis numbers still are.
    var fallback = el("div", { id: "iopw-fallback", className: "iopw-fallback", role: "alert" });
    fallback.hidden = true;

    root.appendChild(stylesheet);
    root.appendChild(launcher);
    document.body.appendChild(host);

    // Attributes first: the frame must never load without its sandbox.
    var frame = el("iframe", {
      id: "iopw-frame",
      className: "iopw-frame",
      title: title,
      sandbox: SANDBOX,
      referrerpolicy: "no-referrer"
    });
    frame.hidden = true;
    ui = { host: host, root: root, launcher: launcher, frame: frame, fallback: fallback };

    window.addEventListener("message", onFrameMessage);
    frame.addEventListener("load", function () {
      ready = false;
      post("hello");
    });
    launcher.addEventListener("click", function () {
      if (open) {
        hide(true);
      } else {
        show(true);
      }
    });
    root.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && open) {
        event.preventDefault();
        event.stopPropagation();
        hide(true);
      }
    });

    frame.setAttribute("src", frameUrl(host));
    root.appendChild(frame);
    root.appendChild(fallback);
  }

  /* ---------- open / close ---------- */

  function show(moveFocus) {
    open = true;
    ui.launcher.setAttribute("aria-expanded", "true");
    ui.host.classList.add("iopw-open");
    ui.frame.hidden = false;
    if (moveFocus) {
      ui.frame.focus(); // keyboard input goes to the chat; the frame then puts it in its text box
    }
    if (ready) {
      post("open", { focus: moveFocus });
    } else {
      focusOnReady = moveFocus;
      startFallbackTimer();
    }
  }

  // tellFrame: the person closed it here (button, Escape); otherwise the frame closed itself.
  function hide(tellFrame) {
    var wasOpen = open;
    open = false;
    focusOnReady = false;
    clearFallbackTimer();
    ui.frame.hidden = true;
    ui.fallback.hidden = true;
    ui.launcher.setAttribute("aria-expanded", "false");
    ui.host.classList.remove("iopw-open", "iopw-failed");
    if (tellFrame && ready) {
      post("close");
    }
    if (wasOpen || !tellFrame) {
      ui.launcher.focus();
    }
  }

  function startFallbackTimer() {
    clearFallbackTimer();
    fallbackTimer = window.setTimeout(function () {
      fallbackTimer = null;
      if (!open || ready) {
        return;
      }
      if (window.console) {
        window.console.error(
          "IOP chat widget: the chat frame from " + frameOrigin + " did not load; is this site's origin in " +
            "the assistant's WIDGET_FRAME_ANCESTORS setting?"
        );
      }
      showFallback();
    }, FRAME_TIMEOUT_MS);
  }

  function clearFallbackTimer() {
    if (fallbackTimer !== null) {
      window.clearTimeout(fallbackTimer);
      fallbackTimer = null;
    }
  }

  function showFallback() {
    var sorry = phone ? TEXTS.connection_error_with_phone.replace("{phone}", phone) : TEXTS.connection_error;
    ui.fallback.textContent = "";
    var text = el("p");
    appendText(text, sorry + " " + TEXTS.crisis);
    ui.fallback.appendChild(text);
    ui.frame.hidden = true;
    ui.fallback.hidden = false;
    ui.host.classList.add("iopw-failed");
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
