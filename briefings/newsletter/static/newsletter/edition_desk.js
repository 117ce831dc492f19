/* The edition's page on the desk (issue #18): reorder items by dragging a row
   or from the keyboard (the arrow buttons, or Alt+Up / Alt+Down in a row), the
   positions renumbered to match; and a live preview of the email or the web
   page as the unsaved form has it (rendered by the server, shown in a
   sandboxed frame: no script of the preview runs). No third-party code. */
(function () {
  "use strict";

  function ready(fn) {
    if (document.readyState !== "loading") fn();
    else document.addEventListener("DOMContentLoaded", fn);
  }

  ready(function () {
    var group = document.getElementById("items-group");
    var form = document.getElementById("edition_form");
    if (!group || !form) return;
    var tbody = group.querySelector("tbody");
    var panel = document.getElementById("edition-live-preview");
    var timer = null;
    var kind = "email";
    var sequence = 0;

    function rows() {
      return Array.prototype.filter.call(
        tbody.querySelectorAll("tr.form-row"),
        function (row) { return !row.classList.contains("empty-form"); }
      );
    }

    function filled(row) {
      var select = row.querySelector("select[name$='-article']");
      return Boolean(select && select.value);
    }

    function renumber() {
      var n = 0;
      rows().forEach(function (row) {
        var position = row.querySelector("input[name$='-position']");
        if (position && filled(row)) {
          position.value = String(n);
          n += 1;
        }
      });
      schedulePreview();
    }

    function move(row, step) {
      var list = rows();
      var to = list.indexOf(row) + step;
      if (to < 0 || to >= list.length) return;
      tbody.insertBefore(row, step < 0 ? list[to] : list[to].nextSibling);
      renumber();
    }

    function button(label, text, name, step, row) {
      var b = document.createElement("button");
      b.type = "button";
      b.className = name;
      b.textContent = text;
      b.setAttribute("aria-label", label);
      b.addEventListener("click", function () {
        move(row, step);
        b.focus();
      });
      return b;
    }

    function addControls(row) {
      if (row.querySelector(".item-order")) return;
      var cell = row.querySelector("td.original") || row.firstElementChild;
      if (!cell) return;
      var box = document.createElement("span");
      box.className = "item-order";
      var handle = document.createElement("span");
      handle.className = "drag-handle";
      handle.textContent = "\u2807";
      handle.title = "Drag to reorder (or Alt+Up / Alt+Down)";
      handle.setAttribute("aria-hidden", "true");
      box.appendChild(handle);
      box.appendChild(button("Move this item up", "\u2191", "move-up", -1, row));
      box.appendChild(button("Move this item down", "\u2193", "move-down", 1, row));
      cell.insertBefore(box, cell.firstChild);
      row.draggable = true;
    }

    rows().forEach(addControls);
    document.addEventListener("formset:added", function (event) {
      if (event.target && event.target.matches && event.target.matches("tr.form-row")) {
        addControls(event.target);
      }
    });

    tbody.addEventListener("keydown", function (event) {
      if (!event.altKey || (event.key !== "ArrowUp" && event.key !== "ArrowDown")) return;
      var row = event.target.closest("tr.form-row");
      if (!row) return;
      event.preventDefault();
      move(row, event.key === "ArrowUp" ? -1 : 1);
      event.target.focus();
    });

    var dragged = null;
    tbody.addEventListener("dragstart", function (event) {
      var row = event.target.closest && event.target.closest("tr.form-row");
      if (!row) return;
      dragged = row;
      event.dataTransfer.effectAllowed = "move";
      event.dataTransfer.setData("text/plain", row.id);
      row.classList.add("dragging");
    });
    tbody.addEventListener("dragover", function (event) {
      if (dragged) event.preventDefault();
    });
    tbody.addEventListener("drop", function (event) {
      var target = event.target.closest && event.target.closest("tr.form-row");
      if (!dragged || !target || target === dragged) return;
      event.preventDefault();
      var list = rows();
      var after = list.indexOf(dragged) < list.indexOf(target);
      tbody.insertBefore(dragged, after ? target.nextSibling : target);
      renumber();
    });
    tbody.addEventListener("dragend", function () {
      if (dragged) dragged.classList.remove("dragging");
      dragged = null;
    });

    function schedulePreview() {
      if (!panel) return;
      clearTimeout(timer);
      timer = setTimeout(refresh, 500);
    }

    function refresh() {
      var frame = panel.querySelector("iframe");
      var state = panel.querySelector(".preview-state");
      var mine = ++sequence;
      panel.setAttribute("aria-busy", "true");
      state.textContent = "Updating\u2026";
      var url = kind === "email" ? panel.dataset.emailUrl : panel.dataset.webUrl;
      fetch(url, { method: "POST", body: new FormData(form), credentials: "same-origin" })
        .then(function (response) {
          return response.text().then(function (text) {
            return { ok: response.ok, text: text };
          });
        })
        .then(function (result) {
          if (mine !== sequence) return;
          panel.setAttribute("aria-busy", "false");
          if (result.ok) {
            frame.srcdoc = result.text;
            state.textContent = "Up to date (not saved)";
          } else {
            state.textContent = result.text.slice(0, 300);
          }
        })
        .catch(function () {
          if (mine !== sequence) return;
          panel.setAttribute("aria-busy", "false");
          state.textContent = "The preview could not be updated.";
        });
    }

    if (panel) {
      form.addEventListener("input", schedulePreview);
      form.addEventListener("change", schedulePreview);
      // The article pickers (select2) announce a choice through jQuery only.
      if (window.django && window.django.jQuery) {
        window.django.jQuery(form).on("change", "select", schedulePreview);
      }
      panel.querySelectorAll("button[data-kind]").forEach(function (b) {
        b.addEventListener("click", function () {
          kind = b.dataset.kind;
          panel.querySelectorAll("button[data-kind]").forEach(function (other) {
            other.setAttribute("aria-pressed", String(other === b));
          });
          refresh();
        });
      });
      refresh();
    }
  });
})();
