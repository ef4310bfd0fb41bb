// A Run runs with what the page shows: with each click on a tab's Run button, the values its
// controls stand at are sent too, in the same message as the click (set before the button's
// own handler, in the capture phase). The server compares them with the settings it resolved
// and waits for, or refuses, a run that would use other values (modules/shared/tab_server.py).
(function () {
  "use strict";
  var CONTROL = ".shiny-html-output[id$='_control']";
  var clicks = 0;

  // A hidden control is not shown (and Shiny does not redraw it while hidden). The outputs
  // around the controls are `display: contents`: the input's container is what is on screen.
  function visible(el) {
    var box = el.closest(".shiny-input-container") || el;
    return box.getClientRects().length > 0;
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("button.bslib-task-button[id$='-run']");
    if (!button || button.disabled || !window.Shiny || !window.Shiny.setInputValue) return;
    var ns = button.id.slice(0, -"run".length); // "survival-"
    var values = {};
    document.querySelectorAll(CONTROL).forEach(function (output) {
      if (output.id.indexOf(ns) !== 0) return;
      output.querySelectorAll(".shiny-bound-input").forEach(function (el) {
        var binding = window.jQuery(el).data("shiny-input-binding");
        if (!binding || !el.id || el.id.indexOf(ns) !== 0 || !visible(el)) return;
        values[el.id.slice(ns.length)] = binding.getValue(el);
      });
    });
    clicks += 1; // every click is sent, even with the same values
    window.Shiny.setInputValue(ns + "run_shown", JSON.parse(JSON.stringify({
      click: clicks, values: values,
    })));
  }, true);
})();
