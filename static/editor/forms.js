/*
 * The change forms' help for editors and translators (programmes/admin/editor_forms.py says
 * what and why). Runs after modeltranslation's tabbed_translation_fields.js has built its
 * tabs, and reads what the server knows from the JSON block "editor-form-settings".
 * A static file, as the admin's Content-Security-Policy allows no inline script.
 */
"use strict";
window.django.jQuery(function () {
  // The block is at the end of the form, so it is read once the page is parsed.
  const settingsElement = document.getElementById("editor-form-settings");
  if (!settingsElement) {
    return;
  }
  const settings = JSON.parse(settingsElement.textContent);
  const form = settingsElement.closest("form");
  const words = settings.words;
  const MT_PREFIX = "mt-field-";

  // Django's note ("Enter times in the Europe/Amsterdam timezone") is wrong for programme
  // items, whose times are local to their place, and pointless for dates: the fields' help
  // says whose time it is. Replaced before DateTimeShortcuts runs (on "load").
  if (window.DateTimeShortcuts) {
    window.DateTimeShortcuts.addTimezoneWarning = function () {};
  }

  /** The language of a modeltranslation field ("zh_hans"), from its class mt-field-title-zh_hans. */
  function languageOf(field) {
    for (const cls of field.classList) {
      if (cls.startsWith(MT_PREFIX)) {
        const bits = cls.slice(MT_PREFIX.length).split("-");
        return bits[bits.length - 1];
      }
    }
    return "";
  }

  function asText(value) {
    return new DOMParser().parseFromString(value || "", "text/html").body.textContent.trim();
  }

  function isEmpty(field) {
    return asText(field.value) === "";
  }

  /** The name of ``field``'s text in another language: programme_items-0-title_nl. */
  function nameIn(field, language, other) {
    return field.name.slice(0, -(language.length + 1)) + "_" + other;
  }

  /** A text as typed in the form when the form has its field, else as saved. */
  function savedOrTyped(name) {
    const live = form.elements.namedItem(name);
    if (live && live.classList && live.classList.contains("mt")) {
      return asText(live.value);
    }
    return settings.sources[name] || "";
  }

  /** Above a translation: the Dutch source, then the other translations that are filled. */
  function addSource(panel, field, language) {
    const box = document.createElement("div");
    box.className = "editor-source";
    Object.keys(settings.languages).forEach(function (other) {
      if (other === language) {
        return;
      }
      const line = document.createElement("div");
      line.className = "editor-source-line";
      line.dataset.source = nameIn(field, language, other);
      line.dataset.required = String(other === settings.source);
      const label = document.createElement("span");
      label.className = "editor-source-label";
      label.textContent =
        other === settings.source
          ? words.source
          : settings.languages[other] + words.label_suffix;
      const text = document.createElement("span");
      text.className = "editor-source-text";
      text.lang = other.replace("_", "-");
      line.append(label, " ", text);
      box.append(line);
      showSource(line);
    });
    if (settings.outdated.includes(field.name)) {
      const note = document.createElement("p");
      note.className = "editor-outdated-note";
      note.textContent = words.outdated_note;
      box.append(note);
    }
    (field.closest(".flex-container") || field.parentElement).before(box);
  }

  /** One line of the box: the Dutch always (or that there is none yet), the others if filled. */
  function showSource(line) {
    const text = savedOrTyped(line.dataset.source);
    line.querySelector(".editor-source-text").textContent = text || words.no_source;
    line.classList.toggle("editor-source-missing", !text);
    line.hidden = !text && line.dataset.required !== "true";
  }

  /** Marks a tab: "error", "out of date" or "empty", in words (not only a colour). */
  function markTab(tab) {
    const field = tab.editorField;
    const panel = tab.editorPanel;
    const hasError = Boolean(panel.querySelector(".errorlist li"));
    const outdated = settings.outdated.includes(field.name);
    const empty = isEmpty(field);
    tab.classList.toggle("editor-tab-error", hasError);
    tab.classList.toggle("editor-tab-outdated", outdated && !hasError);
    tab.classList.toggle("editor-tab-empty", empty && !hasError);
    let state = "";
    if (hasError) {
      state = words.error;
    } else if (empty) {
      state = words.empty;
    } else if (outdated) {
      state = words.outdated;
    }
    tab.querySelector(".editor-tab-state").textContent = state ? "(" + state + ")" : "";
  }

  /** Names, marks and opens one group of modeltranslation's tabs; returns whether it has an error. */
  function enhanceTabs(container) {
    container.dataset.editorTabs = "done";
    const tabs = Array.from(container.querySelectorAll(":scope > ul > li"));
    let open = -1;
    let error = -1;
    let source = -1;
    tabs.forEach(function (tab, index) {
      const link = tab.querySelector("a");
      const panel = document.getElementById(link.getAttribute("href").slice(1));
      const field = panel && panel.querySelector(".mt[name]");
      if (!field) {
        return;
      }
      const language = languageOf(field);
      const name = settings.languages[language] || language;
      link.textContent = name;
      link.title = name;
      const state = document.createElement("span");
      state.className = "editor-tab-state";
      link.append(" ", state);
      tab.editorField = field;
      tab.editorPanel = panel;
      markTab(tab);
      const remark = function () {
        markTab(tab);
      };
      field.addEventListener("input", remark);
      field.addEventListener("change", remark);
      if (language === settings.open) {
        open = index;
      }
      if (language === settings.source) {
        source = index;
      } else {
        addSource(panel, field, language);
      }
      if (error === -1 && tab.classList.contains("editor-tab-error")) {
        error = index;
      }
    });
    const active = [error, open, source].find((index) => index !== -1);
    if (active !== undefined) {
      window.django.jQuery(container).tabs("option", "active", active);
    }
    return error !== -1;
  }

  function enhanceAllTabs() {
    document.querySelectorAll(".ui-tabs:not([data-editor-tabs])").forEach(enhanceTabs);
  }

  /** "Title [zh-hans]" (a read-only field's label, a table's heading) as "Title [Chinese]". */
  function nameLanguagesInLabels() {
    form.querySelectorAll("label, th").forEach(function (label) {
      for (const node of label.childNodes) {
        if (node.nodeType === Node.TEXT_NODE) {
          node.textContent = node.textContent.replace(/\[([a-z]+(?:[-_][a-z]+)?)\]/, function (code, language) {
            return "[" + (settings.languages[language.replace("-", "_")] || language) + "]";
          });
        }
      }
    });
  }

  /** modeltranslation's language switch above the form: named languages, or none at all. */
  function fixMainSwitch() {
    const select = document.getElementById("modeltranslation-main-switch");
    if (!select) {
      return;
    }
    if (!select.options.length) {
      // A read-only page (or a translator's, with one language) has nothing to switch.
      const header = select.parentElement;
      select.remove();
      header.textContent = header.textContent.trim();
      return;
    }
    let openIndex = -1;
    Array.from(select.options).forEach(function (option, index) {
      const language = option.textContent.trim().replace("-", "_");
      option.textContent = settings.languages[language] || option.textContent;
      if (language === settings.open) {
        openIndex = index;
      }
    });
    select.setAttribute("aria-label", words.switch);
    if (openIndex !== -1) {
      select.value = String(openIndex);
    }
  }

  /** After a failed save: the first field with an error, in view and focused. */
  function showFirstError() {
    if (!document.querySelector(".errornote")) {
      return;
    }
    const row = form.querySelector(".errors, .errorlist");
    if (!row) {
      return;
    }
    const container = row.closest(".form-row, .fieldBox, td, div") || row;
    const field = container.querySelector("input:not([type=hidden]), select, textarea");
    container.scrollIntoView({ block: "center" });
    if (field) {
      field.focus({ preventScroll: true });
    }
  }

  /** Wagtail's guard: leaving a changed form asks first. A form shown again after an error
      holds unsaved work from the start. */
  function warnBeforeLeaving() {
    let changed = Boolean(document.querySelector(".errornote"));
    let submitting = false;
    const change = function (event) {
      if (event.target.form === form || form.contains(event.target)) {
        changed = true;
      }
    };
    form.addEventListener("input", change);
    form.addEventListener("change", change);
    form.addEventListener("submit", function () {
      submitting = true;
    });
    window.addEventListener("beforeunload", function (event) {
      if (changed && !submitting) {
        event.preventDefault();
        event.returnValue = "";
      }
    });
  }

  (function () {
    enhanceAllTabs();
    fixMainSwitch();
    nameLanguagesInLabels();
    form.querySelectorAll(".mt").forEach(function (field) {
      const update = function () {
        document
          .querySelectorAll('.editor-source-line[data-source="' + field.name + '"]')
          .forEach(showSource);
      };
      field.addEventListener("input", update);
      field.addEventListener("change", update);
    });
    // A row added with "Add another": modeltranslation builds its tabs in its own click
    // handler, after Django's event.
    document.addEventListener("formset:added", function () {
      window.setTimeout(enhanceAllTabs, 0);
    });
    showFirstError();
    warnBeforeLeaving();
  })();
});
