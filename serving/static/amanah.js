// Amanah: small progressive enhancements; every page works without JavaScript.
(function () {
  "use strict";
  // Keyboard on the queue: j / k move between cases, Enter follows the focused link.
  var links = Array.prototype.slice.call(document.querySelectorAll("#queue a.case-link"));
  if (links.length) {
    document.addEventListener("keydown", function (e) {
      var tag = (e.target.tagName || "").toLowerCase();
      if (tag === "input" || tag === "select" || tag === "textarea") return;
      if (e.key !== "j" && e.key !== "k") return;
      var i = links.indexOf(document.activeElement);
      i = e.key === "j" ? Math.min(links.length - 1, i + 1) : Math.max(0, i - 1);
      links[i].focus();
      links.forEach(function (a) { a.closest("tr").classList.remove("current"); });
      links[i].closest("tr").classList.add("current");
      e.preventDefault();
    });
  }
  // Charts: each <div class="chart" data-figure="id"> draws the JSON figure in <script id="id">.
  if (window.Plotly) {
    document.querySelectorAll("div.chart[data-figure]").forEach(function (div) {
      var src = document.getElementById(div.getAttribute("data-figure"));
      if (!src) return;
      var fig = JSON.parse(src.textContent);
      window.Plotly.newPlot(div, fig.data, fig.layout, {displaylogo: false, responsive: true,
        // no mode bar: it styles itself with inline CSS, which the page's CSP refuses
        displayModeBar: false});
    });
  }
  // A refused form: move focus to the summary of what to fix (at the top, like success notes).
  var summary = document.getElementById("error-summary") || document.getElementById("conflict");
  if (summary) {
    if (!summary.hasAttribute("tabindex")) summary.setAttribute("tabindex", "-1");
    summary.focus();
  }
  // Dangerous actions ask for confirmation (the server also requires the confirm box).
  document.querySelectorAll("form[data-confirm]").forEach(function (form) {
    form.addEventListener("submit", function (e) {
      if (!window.confirm(form.getAttribute("data-confirm"))) e.preventDefault();
    });
  });
})();
