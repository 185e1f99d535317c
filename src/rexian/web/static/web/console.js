// Keyboard shortcuts: any element with data-hotkey ("F2", "Alt+1", "/") is clicked (or focused, for
// inputs) when its key is pressed; the footer lists every shortcut of the page from the same attributes.
(function () {
  "use strict";

  function keyName(event) {
    var parts = [];
    if (event.ctrlKey) parts.push("Ctrl");
    if (event.altKey) parts.push("Alt");
    if (event.shiftKey && event.key.length > 1) parts.push("Shift");
    var key = event.key.length === 1 ? event.key.toUpperCase() : event.key;
    if (event.altKey && /^Digit[0-9]$/.test(event.code)) key = event.code.slice(5);
    if (event.altKey && /^Key[A-Z]$/.test(event.code)) key = event.code.slice(3);
    parts.push(key);
    return parts.join("+");
  }

  function typing(target) {
    return target && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName));
  }

  function visible(el) {
    return el.offsetParent !== null || el.getClientRects().length > 0;
  }

  function listShortcuts() {
    var list = document.getElementById("shortcut-list");
    if (!list) return;
    var seen = {};
    list.textContent = "";
    document.querySelectorAll("[data-hotkey]").forEach(function (el) {
      var key = el.getAttribute("data-hotkey");
      if (seen[key]) return;
      seen[key] = true;
      var item = document.createElement("span");
      var kbd = document.createElement("kbd");
      kbd.textContent = key;
      item.appendChild(kbd);
      item.appendChild(document.createTextNode(" " + (el.getAttribute("data-hotkey-label") || el.textContent.trim())));
      list.appendChild(item);
    });
  }

  document.addEventListener("keydown", function (event) {
    var name = keyName(event);
    if (name === "Ctrl+Enter" && event.target.form) {
      event.preventDefault();
      event.target.form.requestSubmit();
      return;
    }
    // A plain key ("/") must not fire while the user types; function keys and Alt chords always do.
    if (typing(event.target) && name.length === 1) return;
    var targets = Array.prototype.filter.call(document.querySelectorAll("[data-hotkey]"), function (el) {
      return el.getAttribute("data-hotkey") === name && visible(el);
    });
    if (!targets.length) return;
    event.preventDefault();
    var el = targets[0];
    if (/^(INPUT|TEXTAREA|SELECT)$/.test(el.tagName)) el.focus();
    else el.click();
  });

  // The top bar: compact (no shortcut labels, narrower links) only when its links would not fit otherwise, and
  // its links on a row of their own only when even that does not fit.
  function fitTopbar() {
    var bar = document.querySelector(".topbar");
    var nav = bar && bar.querySelector(".mainnav");
    if (!nav) return;
    bar.classList.remove("compact", "two-rows");
    if (nav.scrollWidth <= nav.clientWidth) return;
    bar.classList.add("compact");
    if (nav.scrollWidth <= nav.clientWidth) return;
    bar.classList.add("two-rows");
  }

  document.addEventListener("DOMContentLoaded", fitTopbar);
  window.addEventListener("resize", fitTopbar);
  document.addEventListener("DOMContentLoaded", listShortcuts);
  document.addEventListener("htmx:afterSettle", listShortcuts);

  // Category picker: the datalist shows "code path"; keep the code in the hidden field the form sends.
  document.addEventListener("input", function (event) {
    var input = event.target;
    if (!input.matches || !input.matches("[data-code-for]")) return;
    var hidden = document.getElementById(input.getAttribute("data-code-for"));
    var match = /^([0-9A-Za-z_]+)\s/.exec(input.value);
    hidden.value = match ? match[1] : input.value.trim();
  });

  // A suggestion's "采用" button fills a form field (the category picker, a radio group, a select), as if typed.
  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-fill]");
    if (!button) return;
    event.preventDefault();
    var value = button.getAttribute("data-value");
    var target = document.getElementById(button.getAttribute("data-fill"));
    var also = document.getElementById(button.getAttribute("data-fill-also") || "");
    if (also) also.value = button.getAttribute("data-value-also");
    if (target) {
      target.value = value;
      var shown = button.getAttribute("data-shown");
      var picker = document.querySelector('[data-code-for="' + target.id + '"]');
      if (picker && shown) picker.value = shown;
      target.dispatchEvent(new Event("change", { bubbles: true }));
      return;
    }
    var radio = document.querySelector('input[type=radio][name="' + button.getAttribute("data-fill-name") + '"][value="' + value + '"]');
    if (radio) { radio.checked = true; radio.dispatchEvent(new Event("change", { bubbles: true })); }
  });

  // A notice's print button: the print style sheet leaves only the document.
  document.addEventListener("click", function (event) {
    if (event.target.closest && event.target.closest("[data-print]")) window.print();
  });

  // Batch selection on queues: "select all" ticks every row box.
  document.addEventListener("change", function (event) {
    if (event.target.matches && event.target.matches("[data-select-all]")) {
      var name = event.target.getAttribute("data-select-all");
      document.querySelectorAll('input[type=checkbox][name="' + name + '"]').forEach(function (box) {
        box.checked = event.target.checked;
      });
    }
  });
})();
