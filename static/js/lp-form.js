// The Laporan Polisi form (issue 12, item 4), as progressive enhancement: without script the page
// is a plain form with fixed blank blocks and a multi-select, and the server applies every rule.
// - terlapor/korban/saksi: add and remove blocks of a Django formset (renumbering the names);
// - "pelapor adalah korban": the first korban is filled from the reporter and kept in step;
// - the pasal multi-select becomes a type-ahead (old and new KUHP) with removable chips;
// - the event time is read back in Indonesian ("Selasa, 1 Desember 2026 pukul 02.30 WITA").
(function () {
  "use strict";

  var HARI = ["Minggu", "Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu"];
  var BULAN = ["Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus",
    "September", "Oktober", "November", "Desember"];
  var GENDER = { L: "Laki-laki", P: "Perempuan" };
  var MAX_QUERY = 60;

  function ymd(value) {
    var m = /^(\d{4})-(\d{2})-(\d{2})/.exec(value || "");
    if (!m) return null;
    var y = +m[1], mo = +m[2], d = +m[3];
    if (mo < 1 || mo > 12 || d < 1 || d > 31) return null;
    return { y: y, m: mo, d: d };
  }

  function tanggal(value) {
    var t = ymd(value);
    return t ? t.d + " " + BULAN[t.m - 1] + " " + t.y : "";
  }

  function waktu(value) {
    // A datetime-local value is already WITA (the station's time): no time zone arithmetic.
    var t = ymd(value), m = /T(\d{2}):(\d{2})/.exec(value || "");
    if (!t || !m) return "";
    var day = new Date(Date.UTC(t.y, t.m - 1, t.d)).getUTCDay();
    return HARI[day] + ", " + tanggal(value) + " pukul " + m[1] + "." + m[2] + " WITA";
  }

  // --- people: add/remove blocks --------------------------------------------------------------
  function People(box) {
    this.box = box;
    this.prefix = box.getAttribute("data-people");
    this.max = parseInt(box.getAttribute("data-max"), 10) || 10;
    this.singular = box.getAttribute("data-singular") || "";
    this.removeLabel = box.getAttribute("data-remove-label") || "Hapus";
    this.list = box.querySelector("[data-person-list]");
    this.template = box.querySelector("template[data-person-template]");
    this.total = box.querySelector('input[name="' + this.prefix + '-TOTAL_FORMS"]');
    this.addButton = box.querySelector("[data-person-add]");
    var self = this;
    if (!this.list || !this.template || !this.total || !this.addButton) return;
    this.addButton.hidden = false;
    this.addButton.addEventListener("click", function () {
      var block = self.add();
      var first = block && block.querySelector("input, select, textarea");
      if (first) first.focus();
    });
    this.list.addEventListener("click", function (event) {
      var button = event.target.closest("[data-person-remove]");
      if (button) self.remove(button.closest("[data-person]"));
    });
    // The fixed blank blocks the page has without script: keep one, the button adds more.
    var blocks = this.blocks();
    for (var i = blocks.length - 1; i >= 1; i--) {
      if (this.blank(blocks[i]) && !blocks[i].querySelector(".error")) blocks[i].remove();
    }
    this.renumber();
  }

  People.prototype.blocks = function () {
    return Array.prototype.slice.call(this.list.querySelectorAll("[data-person]"));
  };

  People.prototype.fields = function (block) {
    return Array.prototype.slice.call(block.querySelectorAll("input, select, textarea"));
  };

  People.prototype.blank = function (block) {
    return this.fields(block).every(function (el) { return !el.value.trim(); });
  };

  People.prototype.field = function (block, key) {
    return block.querySelector('[name$="-' + key + '"]');
  };

  People.prototype.add = function (atStart) {
    if (this.blocks().length >= this.max) return null;
    var block = this.template.content.firstElementChild.cloneNode(true);
    if (atStart && this.list.firstElementChild) this.list.insertBefore(block, this.list.firstElementChild);
    else this.list.appendChild(block);
    this.renumber();
    return block;
  };

  People.prototype.remove = function (block) {
    if (!block) return;
    var blocks = this.blocks(), index = blocks.indexOf(block);
    block.remove();
    this.renumber();
    var rest = this.blocks();
    var next = rest[Math.min(index, rest.length - 1)];
    var target = next ? next.querySelector("input, select, textarea") : this.addButton;
    if (target) target.focus();
  };

  People.prototype.renumber = function () {
    var prefix = this.prefix, self = this;
    var pattern = new RegExp("^(id_)?" + prefix.replace(/[.*+?^${}()|[\]\\]/g, "\\$&") + "-(\\d+|__prefix__)-");
    var blocks = this.blocks();
    blocks.forEach(function (block, i) {
      block.querySelectorAll("[name], [id], [for]").forEach(function (el) {
        ["name", "id", "for"].forEach(function (attr) {
          var value = el.getAttribute(attr);
          if (value && pattern.test(value)) {
            el.setAttribute(attr, value.replace(pattern, function (all, id) {
              return (id || "") + prefix + "-" + i + "-";
            }));
          }
        });
      });
      var no = block.querySelector("[data-person-no]");
      if (no) no.textContent = String(i + 1);
      var remove = block.querySelector("[data-person-remove]");
      if (remove) {
        remove.hidden = block.hasAttribute("data-reporter");
        remove.textContent = self.removeLabel + " " + self.singular + " " + (i + 1);
      }
    });
    this.total.value = String(blocks.length);
    this.addButton.disabled = blocks.length >= this.max;
  };

  // --- "pelapor adalah korban" ------------------------------------------------------------------
  function reporterIsVictim(form, victims) {
    var box = form.querySelector('input[name="reporter_is_victim"]');
    if (!box || box.disabled || !victims || !victims.total || !victims.template) return;
    function value(name) {
      var el = form.querySelector('[name="' + name + '"]');
      return el ? el.value.trim() : "";
    }
    function reporter() {
      return {
        name: value("name"),
        birth: [value("birth_place"), tanggal(value("birth_date"))].filter(Boolean).join(", "),
        gender: GENDER[value("gender")] || "",
        occupation: value("occupation"),
        address: value("address"),
        contact: value("phone")
      };
    }
    function marked() {
      return victims.list.querySelector("[data-person][data-reporter]");
    }
    function fill(block, data, lock) {
      Object.keys(data).forEach(function (key) {
        var el = victims.field(block, key);
        if (!el) return;
        el.value = data[key];
        if (el.tagName === "SELECT") el.disabled = lock;  // the server writes the reporter's own
        else el.readOnly = lock;
      });
    }
    function sync() {
      var block = marked();
      if (box.checked) {
        if (!block) {
          var first = victims.blocks()[0];
          var name = first ? (victims.field(first, "name") || {}).value || "" : "";
          var same = name.trim().toLowerCase() === reporter().name.toLowerCase();
          block = first && (victims.blank(first) || same) ? first : victims.add(true);
          if (!block) return;  // the list is full
          block.setAttribute("data-reporter", "");
          victims.renumber();
        }
        fill(block, reporter(), true);
      } else if (block) {
        block.removeAttribute("data-reporter");
        if (victims.blocks().length > 1) victims.remove(block);
        else {
          fill(block, { name: "", birth: "", gender: "", occupation: "", address: "", contact: "" }, false);
          victims.renumber();
        }
      }
    }
    box.addEventListener("change", sync);
    ["name", "birth_place", "birth_date", "gender", "occupation", "address", "phone"].forEach(function (n) {
      var el = form.querySelector('[name="' + n + '"]');
      if (el) {
        el.addEventListener("input", function () { if (box.checked) sync(); });
        el.addEventListener("change", function () { if (box.checked) sync(); });
      }
    });
    if (box.checked) sync();
  }

  // --- the event time in words ------------------------------------------------------------------
  function eventWhen(form) {
    var input = form.querySelector('input[name="event_when"]');
    var text = form.querySelector("[data-when-text]");
    if (!input || !text) return;
    function show() { text.textContent = waktu(input.value); }
    input.addEventListener("input", show);
    input.addEventListener("change", show);
  }

  // --- pasal type-ahead -------------------------------------------------------------------------
  var pickers = 0;

  function terms(query) {
    return query.toLowerCase().slice(0, MAX_QUERY)
      .replace(/\bpasal\b/g, " ")
      .split(/[^0-9a-z\u00c0-\u024f]+/)
      .filter(Boolean);
  }

  function matches(option, words) {
    var text = option.getAttribute("data-search") || option.textContent.toLowerCase();
    var tokens = text.split(/[^0-9a-z\u00c0-\u024f]+/);
    return words.every(function (word) {
      if (/^\d/.test(word)) {  // a number is the start of an article ("36" finds 362 and 363)
        return tokens.some(function (token) { return token.indexOf(word) === 0; });
      }
      return text.indexOf(word) !== -1;
    });
  }

  function PasalPicker(wrap) {
    var select = wrap.querySelector("select[data-pasal]");
    if (!select || select.disabled) return;
    var n = ++pickers, self = this;
    this.select = select;
    this.wrap = wrap;
    this.text = function (key) { return wrap.getAttribute("data-" + key) || ""; };
    var help = wrap.querySelector("[data-pasal-help]"), noJs = wrap.querySelector("[data-pasal-help-nojs]");
    if (help) help.hidden = false;
    if (noJs) noJs.hidden = true;

    this.chips = document.createElement("ul");
    this.chips.className = "chips";
    this.chips.setAttribute("aria-label", this.text("chosen"));
    this.none = document.createElement("p");
    this.none.className = "muted small";
    this.none.textContent = this.text("none");

    var combo = document.createElement("div");
    combo.className = "pasal-combo";
    this.input = document.createElement("input");
    this.input.type = "text";
    this.input.id = (select.id || "pasal") + "-cari";
    this.input.setAttribute("data-pasal-search", "");
    this.input.setAttribute("role", "combobox");
    this.input.setAttribute("aria-autocomplete", "list");
    this.input.setAttribute("aria-expanded", "false");
    this.input.setAttribute("autocomplete", "off");
    this.input.setAttribute("maxlength", String(MAX_QUERY));
    this.input.placeholder = this.text("placeholder");
    if (help && help.id) this.input.setAttribute("aria-describedby", help.id);
    this.list = document.createElement("ul");
    this.list.className = "pasal-list";
    this.list.id = "pasal-hasil-" + n;
    this.list.setAttribute("role", "listbox");
    this.list.setAttribute("aria-label", wrap.querySelector("[data-pasal-label]").textContent.trim());
    this.list.hidden = true;
    this.input.setAttribute("aria-controls", this.list.id);
    this.empty = document.createElement("p");
    this.empty.className = "pasal-empty";
    this.empty.textContent = this.text("empty");
    this.empty.hidden = true;
    this.status = document.createElement("p");
    this.status.className = "sr-only";
    this.status.setAttribute("aria-live", "polite");
    combo.appendChild(this.input);
    combo.appendChild(this.list);
    combo.appendChild(this.empty);

    var label = wrap.querySelector("[data-pasal-label]");
    label.setAttribute("for", this.input.id);
    select.hidden = true;
    select.setAttribute("aria-hidden", "true");
    select.tabIndex = -1;
    select.parentNode.insertBefore(this.chips, select);
    select.parentNode.insertBefore(this.none, select);
    select.parentNode.insertBefore(combo, select);
    select.parentNode.insertBefore(this.status, select);

    this.active = -1;
    this.shown = [];
    this.input.addEventListener("input", function () { self.search(true); });
    this.input.addEventListener("focus", function () { if (self.input.value.trim()) self.search(true); });
    this.input.addEventListener("blur", function () { self.close(); });
    this.input.addEventListener("keydown", function (event) { self.key(event); });
    this.list.addEventListener("mousedown", function (event) { event.preventDefault(); });
    this.list.addEventListener("click", function (event) {
      var item = event.target.closest("[role=option]");
      if (item) self.choose(item.getAttribute("data-value"));
    });
    this.chips.addEventListener("click", function (event) {
      var button = event.target.closest("button[data-value]");
      if (button) self.unchoose(button.getAttribute("data-value"));
    });
    this.renderChips();
  }

  PasalPicker.prototype.options = function () {
    return Array.prototype.slice.call(this.select.options);
  };

  PasalPicker.prototype.search = function (open) {
    var words = terms(this.input.value);
    var self = this;
    this.shown = this.options().filter(function (o) {
      return !o.selected && o.value && matches(o, words);
    });
    this.list.textContent = "";
    this.shown.forEach(function (option, i) {
      var item = document.createElement("li");
      item.id = self.list.id + "-" + i;
      item.setAttribute("role", "option");
      item.setAttribute("aria-selected", "false");
      item.setAttribute("data-value", option.value);
      item.textContent = option.textContent;
      self.list.appendChild(item);
    });
    this.active = this.shown.length && words.length ? 0 : -1;
    this.highlight();
    var visible = open && (words.length > 0 || this.input.value === "" && open === "all");
    this.list.hidden = !visible || !this.shown.length;
    this.empty.hidden = !visible || this.shown.length > 0;
    this.input.setAttribute("aria-expanded", this.list.hidden ? "false" : "true");
    if (visible) {
      this.status.textContent = this.shown.length
        ? this.text("count").replace("%(n)s", String(this.shown.length))
        : this.text("empty");
    }
  };

  PasalPicker.prototype.highlight = function () {
    var items = this.list.querySelectorAll("[role=option]"), active = this.active;
    items.forEach(function (item, i) {
      item.classList.toggle("active", i === active);
      item.setAttribute("aria-selected", i === active ? "true" : "false");
    });
    if (active >= 0 && items[active]) {
      this.input.setAttribute("aria-activedescendant", items[active].id);
      items[active].scrollIntoView({ block: "nearest" });
    } else {
      this.input.removeAttribute("aria-activedescendant");
    }
  };

  PasalPicker.prototype.close = function () {
    this.list.hidden = true;
    this.empty.hidden = true;
    this.active = -1;
    this.input.setAttribute("aria-expanded", "false");
    this.input.removeAttribute("aria-activedescendant");
  };

  PasalPicker.prototype.key = function (event) {
    var open = !this.list.hidden;
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      if (!open) { this.search("all"); open = !this.list.hidden; }
      if (!open || !this.shown.length) return;
      var step = event.key === "ArrowDown" ? 1 : -1;
      this.active = (this.active + step + this.shown.length) % this.shown.length;
      this.highlight();
    } else if (event.key === "Enter") {
      event.preventDefault();  // never submits the LP from the search box
      if (open && this.active >= 0 && this.shown[this.active]) this.choose(this.shown[this.active].value);
    } else if (event.key === "Escape") {
      if (open) { event.preventDefault(); this.close(); }
    } else if (event.key === "Backspace" && !this.input.value) {
      var chosen = this.options().filter(function (o) { return o.selected; });
      if (chosen.length) this.unchoose(chosen[chosen.length - 1].value);
    }
  };

  PasalPicker.prototype.choose = function (value) {
    this.options().forEach(function (o) { if (o.value === value) o.selected = true; });
    this.input.value = "";
    this.close();
    this.renderChips();
    var option = this.options().filter(function (o) { return o.value === value; })[0];
    if (option) this.status.textContent = option.textContent;
    this.input.focus();
  };

  PasalPicker.prototype.unchoose = function (value) {
    this.options().forEach(function (o) { if (o.value === value) o.selected = false; });
    this.renderChips();
    this.input.focus();
  };

  PasalPicker.prototype.renderChips = function () {
    var self = this;
    this.chips.textContent = "";
    var chosen = this.options().filter(function (o) { return o.selected; });
    chosen.forEach(function (option) {
      var li = document.createElement("li");
      var span = document.createElement("span");
      span.textContent = option.textContent;
      var button = document.createElement("button");
      button.type = "button";
      button.setAttribute("data-value", option.value);
      button.setAttribute("aria-label", self.text("remove") + " " + option.textContent);
      button.textContent = "×";
      li.appendChild(span);
      li.appendChild(button);
      self.chips.appendChild(li);
    });
    this.chips.hidden = !chosen.length;
    this.none.hidden = chosen.length > 0;
  };

  function init() {
    document.querySelectorAll("[data-pasal-picker]").forEach(function (wrap) { new PasalPicker(wrap); });
    var form = document.querySelector("[data-lp-form]");
    if (!form) return;
    var people = {};
    form.querySelectorAll("[data-people]").forEach(function (box) {
      people[box.getAttribute("data-people")] = new People(box);
    });
    reporterIsVictim(form, people.victims);
    eventWhen(form);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
