// The tab's token for restoring its data and results after a dropped connection or a reload.
// sessionStorage is per tab and survives a reload; the server issues a new token each session.
(function () {
  "use strict";
  var KEY = "medstat-tab";
  var INPUT = "medstat_tab";
  var stored = null;
  try {
    stored = window.sessionStorage.getItem(KEY);
  } catch (e) {
    stored = null; // storage disabled: the tab simply starts afresh
  }
  var input = document.getElementById(INPUT);
  if (input && stored) {
    input.value = stored; // read by Shiny when it binds the inputs, so it is in the first message
  }
  function register() {
    window.Shiny.addCustomMessageHandler("medstat-tab-token", function (token) {
      try {
        window.sessionStorage.setItem(KEY, token);
      } catch (e) {
        // storage disabled: nothing to keep
      }
      if (input) {
        input.value = token;
      }
      // Also the value Shiny resends when it reconnects.
      window.Shiny.setInputValue(INPUT, token);
    });
  }
  if (window.Shiny && window.Shiny.addCustomMessageHandler) {
    register();
  } else {
    document.addEventListener("DOMContentLoaded", register);
  }
})();
