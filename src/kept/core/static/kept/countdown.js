// Live countdowns: every <time data-deadline> shows how long until (or since) its deadline,
// ticking each 30 s; the server's evaluation (state, business time left) stays in the title.
// The words come translated from the page (#countdown-labels, see _countdown.html).
(function () {
  "use strict";
  if (window.keptCountdown) { return; }
  window.keptCountdown = true;
  var node = document.getElementById("countdown-labels");
  var words = node ? JSON.parse(node.textContent) : {};
  function w(key, fallback) { return words[key] || fallback; }
  function span(ms) {
    var minutes = Math.floor(Math.abs(ms) / 60000);
    var days = Math.floor(minutes / 1440), hours = Math.floor((minutes % 1440) / 60);
    var parts = [];
    if (days) { parts.push(days + w("d", "d")); }
    if (days || hours) { parts.push(hours + w("h", "h")); }
    if (!days) { parts.push(minutes % 60 + w("m", "m")); }
    return parts.join(" ");
  }
  function tick() {
    var now = Date.now();
    document.querySelectorAll("time[data-deadline]").forEach(function (el) {
      var deadline = Date.parse(el.getAttribute("data-deadline"));
      if (isNaN(deadline)) { return; }
      var left = deadline - now;
      var text = left >= 0 ? w("in", "in {t}") : w("overdue", "{t} overdue");
      el.textContent = text.replace("{t}", span(left));
      el.classList.toggle("overdue", left < 0);
    });
  }
  function start() {
    tick();
    setInterval(tick, 30000);
    document.body.addEventListener("htmx:afterSwap", tick);
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
