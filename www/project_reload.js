// An opened project is applied through the tab's saved state: the server asks for a reload,
// which restores every tab's settings as a reconnect does (modules/paper/tab.py).
(function () {
  "use strict";
  function register() {
    window.Shiny.addCustomMessageHandler("medstat-reload", function (_message) {
      window.location.reload();
    });
  }
  if (window.Shiny && window.Shiny.addCustomMessageHandler) {
    register();
  } else {
    document.addEventListener("DOMContentLoaded", register);
  }
})();
