// The typeahead box: suggestions from /search.json as you type; arrows choose, Enter opens.
(function () {
  "use strict";
  function setup(input) {
    var list = document.createElement("ul");
    list.className = "typeahead";
    list.setAttribute("role", "listbox");
    list.hidden = true;
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.parentNode.style.position = "relative";
    input.parentNode.appendChild(list);
    var timer = null, active = -1, items = [], asked = "";

    function show(results) {
      list.innerHTML = "";
      items = results;
      active = -1;
      results.forEach(function (r, i) {
        var li = document.createElement("li");
        li.setAttribute("role", "option");
        var a = document.createElement("a");
        a.href = r.href;
        a.textContent = r.label;
        li.appendChild(a);
        if (r.type_label) {
          var span = document.createElement("span");
          span.className = "type";
          span.textContent = r.type_label;
          li.appendChild(document.createTextNode(" "));
          li.appendChild(span);
        }
        li.addEventListener("mousedown", function (e) { e.preventDefault(); window.location = r.href; });
        list.appendChild(li);
      });
      list.hidden = results.length === 0;
    }
    function highlight(i) {
      var lis = list.querySelectorAll("li");
      lis.forEach(function (li, j) { li.classList.toggle("active", j === i); li.setAttribute("aria-selected", j === i); });
      active = i;
    }
    function ask() {
      var q = input.value.trim();
      if (q === asked) return;
      asked = q;
      if (!q) { show([]); return; }
      var lang = document.documentElement.lang || "zh";
      fetch("/search.json?limit=8&q=" + encodeURIComponent(q) + "&lang=" + encodeURIComponent(lang), {headers: {Accept: "application/json"}})
        .then(function (r) { return r.ok ? r.json() : {results: []}; })
        .then(function (data) { if (input.value.trim() === q) show(data.results || []); })
        .catch(function () { show([]); });
    }
    input.addEventListener("input", function () { clearTimeout(timer); timer = setTimeout(ask, 120); });
    input.addEventListener("keydown", function (e) {
      if (list.hidden) return;
      if (e.key === "ArrowDown") { e.preventDefault(); highlight(Math.min(active + 1, items.length - 1)); }
      else if (e.key === "ArrowUp") { e.preventDefault(); highlight(Math.max(active - 1, 0)); }
      else if (e.key === "Enter" && active >= 0) { e.preventDefault(); window.location = items[active].href; }
      else if (e.key === "Escape") { list.hidden = true; }
    });
    input.addEventListener("blur", function () { setTimeout(function () { list.hidden = true; }, 150); });
    input.addEventListener("focus", function () { if (items.length) list.hidden = false; });
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("input[data-typeahead]").forEach(setup);
  });
})();
