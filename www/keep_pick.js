// A pick the server has not seen yet survives the redraw of its control.
//
// A tab's controls are drawn on the server (modules/shared/tab_settings.py) and drawn again
// when what they offer changes: choosing covariates redraws the subgroup-exposure select.
// On a lagging server a pick made in the old control, after the change that caused the redraw
// but before the redraw arrived, was replaced by the value the server drew (it had not seen
// the pick yet): the user's choice vanished. Here a redrawn control takes back the user's
// recent pick when the server drew exactly the value the control had before that pick (so the
// server did not choose something else on purpose) and the pick is still offered.
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

  function setValue(el, value) {
    var $ = window.jQuery;
    if (el.tagName === "SELECT" && el.selectize) {
      el.selectize.setValue(value); // triggers change: Shiny sends it
    } else if (el.matches(".shiny-input-radiogroup, .shiny-input-checkboxgroup")) {
      var wanted = Array.isArray(value) ? value : [value];
      el.querySelectorAll("input").forEach(function (i) {
        i.checked = wanted.indexOf(i.value) >= 0;
      });
      $(el).find("input").first().trigger("change");
    } else if (el.type === "checkbox") {
      el.checked = value;
      $(el).trigger("change");
    } else {
      $(el).val(value).trigger("change");
    }
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

  // A control (re)drawn by the server.
  window.jQuery(document).on("shiny:bound", function (event) {
    if (event.bindingType !== "input") return;
    var el = event.target;
    if (!el.id || !el.closest || !el.closest(CONTROL)) return;
    window.setTimeout(function () { // after the binding has set up selectize
      var drawn = valueOf(el);
      var pick = picks[el.id];
      delete picks[el.id];
      known[el.id] = drawn;
      if (!pick || Date.now() - pick.at > RECENT_MS) return;
      if (same(drawn, pick.value) || !same(drawn, pick.before)) return;
      if (!offered(el, pick.value)) return;
      known[el.id] = pick.value;
      setValue(el, pick.value);
    }, 0);
  });
})();
