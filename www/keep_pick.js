// A pick the server has not seen yet survives the redraw of its control.
//
// A tab's controls are drawn on the server (modules/shared/tab_settings.py) and drawn again
// when what they offer changes: choosing covariates redraws the subgroup-exposure select.
// On a lagging server a pick made in the old control, after the change that caused the redraw
// but before the redraw arrived, was replaced by the value the server drew (it had not seen
// the pick yet): the user's choice vanished. Here a redrawn control keeps the user's recent
// pick when the server drew exactly the value the control had before that pick (so the server
// did not choose something else on purpose) and the pick is still offered: the pick is written
// into the server's HTML before the page draws and binds it, so no moment shows (or sends, or
// runs with) the server's stale value.
(function () {
  "use strict";
  var RECENT_MS = 15000; // a pick older than this is not "in flight" any more
  var CONTROL = ".shiny-html-output[id$='_control']";
  var picks = {}; // input id -> {value, before, at}
  var known = {}; // input id -> the value the control had when drawn or last changed

  function inputOf(target) {
    var group = target.closest(".shiny-input-radiogroup, .shiny-input-checkboxgroup");
    return group || target.closest("select, input");
  }

  function valueOf(el) {
    if (el.matches(".shiny-input-radiogroup")) {
      var on = el.querySelector("input:checked");
      return on ? on.value : null;
    }
    if (el.matches(".shiny-input-checkboxgroup")) {
      return Array.prototype.map.call(el.querySelectorAll("input:checked"), function (i) {
        return i.value;
      });
    }
    if (el.tagName === "SELECT") {
      // A copy: selectize's getValue() of a multiple select is its live list of items, which
      // the user's next pick changes in place (kept as is, `known` would already hold that
      // pick when its change arrives, and the pick was never recorded).
      if (el.selectize) {
        var chosen = el.selectize.getValue();
        return Array.isArray(chosen) ? chosen.slice() : chosen;
      }
      return el.multiple ? window.jQuery(el).val() : el.value;
    }
    return el.type === "checkbox" ? el.checked : el.value;
  }

  function offered(el, value) {
    var values = Array.isArray(value) ? value : [value];
    var options;
    if (el.tagName === "SELECT" && el.selectize) {
      options = Object.keys(el.selectize.options);
    } else if (el.tagName === "SELECT") {
      options = Array.prototype.map.call(el.options, function (o) { return o.value; });
    } else if (el.matches(".shiny-input-radiogroup, .shiny-input-checkboxgroup")) {
      options = Array.prototype.map.call(el.querySelectorAll("input"), function (i) {
        return i.value;
      });
    } else {
      return typeof value === typeof el.value || typeof value === "boolean";
    }
    return values.every(function (v) { return options.indexOf(String(v)) >= 0; });
  }

  function same(a, b) {
    return JSON.stringify(a) === JSON.stringify(b);
  }

  // The user's changes (selectize fires its "change" through jQuery, so listen there).
  window.jQuery(document).on("change", function (event) {
    var el = inputOf(event.target);
    if (!el || !el.id || !el.closest(CONTROL)) return;
    var value = valueOf(el);
    if (!same(value, known[el.id])) {
      picks[el.id] = { value: value, before: known[el.id], at: Date.now() };
    }
    known[el.id] = value;
  });

  // What a control in the server's HTML stands at (its attributes: it is not drawn yet).
  function drawnValue(el) {
    var on = function (nodes, attr) {
      return Array.prototype.filter.call(nodes, function (n) { return n.hasAttribute(attr); })
        .map(function (n) { return n.value; });
    };
    if (el.matches(".shiny-input-radiogroup")) {
      return on(el.querySelectorAll("input"), "checked")[0] || null;
    }
    if (el.matches(".shiny-input-checkboxgroup")) return on(el.querySelectorAll("input"), "checked");
    if (el.tagName === "SELECT") {
      var chosen = on(el.options, "selected");
      if (el.multiple) return chosen;
      return chosen.length ? chosen[chosen.length - 1] : (el.options.length ? el.options[0].value : "");
    }
    if (el.type === "checkbox") return el.hasAttribute("checked");
    return el.getAttribute("value") || "";
  }

  // The server's HTML made to stand at `value` instead.
  function draw(el, value) {
    var wanted = (Array.isArray(value) ? value : [value]).map(String);
    if (el.tagName === "SELECT") {
      Array.prototype.forEach.call(el.options, function (o) {
        o.toggleAttribute("selected", wanted.indexOf(o.value) >= 0);
      });
    } else if (el.matches(".shiny-input-radiogroup, .shiny-input-checkboxgroup")) {
      el.querySelectorAll("input").forEach(function (i) {
        i.toggleAttribute("checked", wanted.indexOf(i.value) >= 0);
      });
    } else if (el.type === "checkbox") {
      el.toggleAttribute("checked", value === true);
    } else {
      el.setAttribute("value", value === null ? "" : String(value));
    }
  }

  // A control redrawn by the server: the pick is put into the HTML before the page draws it,
  // so the new control is bound standing at the pick and sends nothing else. (Put back after
  // the binding, a click taken between the two ran with the server's value: the browser takes
  // input before the page's timers.) The pick is kept while recent: a second redraw the server
  // made before it saw the pick gets it too; a redraw standing at the pick means it arrived.
  window.jQuery(document).on("shiny:value", function (event) {
    try {
      keepPicks(event);
    } catch (e) { // the redraw is drawn as the server sent it, never stopped by this
      console.error("keep_pick", e);
    }
  });

  function keepPicks(event) {
    var output = event.target;
    if (!output.matches || !output.matches(CONTROL) || !event.value) return;
    var html = typeof event.value === "string" ? event.value : event.value.html;
    var now = Date.now();
    var ids = Object.keys(picks).filter(function (id) {
      return now - picks[id].at <= RECENT_MS && output.querySelector("#" + CSS.escape(id));
    });
    if (!ids.length || typeof html !== "string") return;
    var page = document.createElement("template");
    page.innerHTML = html;
    var changed = false;
    ids.forEach(function (id) {
      var el = page.content.querySelector("#" + CSS.escape(id));
      var pick = picks[id];
      if (!el) return;
      var drawn = drawnValue(el);
      if (same(drawn, pick.value)) { delete picks[id]; return; } // the server has it
      if (!same(drawn, pick.before) || !offered(el, pick.value)) return; // the server's word
      draw(el, pick.value);
      changed = true;
    });
    if (!changed) return;
    event.value = typeof event.value === "string" ? page.innerHTML
      : Object.assign({}, event.value, { html: page.innerHTML });
  }

  // A control (re)drawn and bound: what it stands at is what the next pick changes.
  window.jQuery(document).on("shiny:bound", function (event) {
    if (event.bindingType !== "input") return;
    var el = event.target;
    if (!el.id || !el.closest || !el.closest(CONTROL)) return;
    known[el.id] = valueOf(el);
  });
})();
