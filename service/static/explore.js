/* The graph explorer: search an entity, draw it with its neighbours (cytoscape.js), click a node
   to expand it, find the shortest paths between two entities. Talks only to this service's
   /network API. */
(function () {
  "use strict";
  var root = document.getElementById("explorer");
  var api = root.dataset.api;
  var typeColour = window.xiancheng.typeColour;
  var $ = function (id) { return document.getElementById(id); };
  var expanded = {};
  var selected = null;
  var pathEnds = {};

  var cy = cytoscape({
    container: $("cy"),
    minZoom: 0.05,
    maxZoom: 1.6,
    style: [
      { selector: "node", style: {
        "background-color": "data(colour)", "label": "data(shown)", "font-size": 11,
        "font-family": "Noto Sans CJK SC, sans-serif", "text-valign": "bottom", "text-margin-y": 3,
        "width": 18, "height": 18, "color": "#1d2733", "text-wrap": "ellipsis", "text-max-width": 140 } },
      { selector: "node.expanded", style: { "border-width": 2, "border-color": "#12355b" } },
      { selector: "node:selected", style: { "border-width": 4, "border-color": "#f1c40f" } },
      { selector: "edge", style: {
        "width": 1.2, "line-color": "#b4bcc6", "target-arrow-color": "#b4bcc6",
        "target-arrow-shape": "triangle", "curve-style": "bezier", "arrow-scale": 0.8,
        "label": "data(shown)", "font-size": 8, "color": "#5d6d7e", "text-rotation": "autorotate",
        "text-background-color": "#fff", "text-background-opacity": 0.7 } },
      { selector: "edge[?inferred]", style: { "line-style": "dashed" } },
      { selector: "edge.path", style: { "line-color": "#e74c3c", "target-arrow-color": "#e74c3c", "width": 3 } },
      { selector: "node.path", style: { "border-width": 3, "border-color": "#e74c3c" } }
    ]
  });

  function lang() { return $("opt-lang").value; }

  function projection() {
    return "inferred=" + $("opt-inferred").checked + "&evidence=" + $("opt-evidence").checked +
      "&collapse=" + $("opt-collapse").checked;
  }

  function status(text, isError) {
    var el = $("status");
    el.textContent = text || "";
    el.className = isError ? "error" : "";
  }

  function getJSON(path, params) {
    var url = api + path + "?" + params + "&" + projection();
    return fetch(url, { headers: { "Accept": "application/json" } }).then(function (response) {
      return response.json().then(function (body) {
        if (!response.ok) {
          var detail = body && body.error ? body.error.detail : response.statusText;
          throw new Error(detail);
        }
        return body;
      });
    });
  }

  function nodeData(n) {
    return { id: n.id, label_zh: n.label_zh, label_en: n.label_en, shown: n["label_" + lang()],
             type: n.type, type_zh: n.type_zh, type_en: n.type_en, path: n.path, code: n.code,
             colour: typeColour(n.type) };
  }

  function edgeData(e) {
    return { id: e.id, source: e.source, target: e.target, predicate: e.predicate,
             label_zh: e.label_zh, label_en: e.label_en, shown: e["label_" + lang()],
             inferred: !!e.inferred };
  }

  function add(nodes, edges, near) {
    var added = [];
    var origin = near && cy.getElementById(near).nonempty() ? cy.getElementById(near).position() : { x: 0, y: 0 };
    var fresh = nodes.filter(function (n) { return cy.getElementById(n.id).empty(); });
    fresh.forEach(function (n, i) {  // new nodes start on a circle around the one expanded
      var angle = 2 * Math.PI * i / Math.max(fresh.length, 1);
      var position = i === 0 && !near ? origin : { x: origin.x + 90 * Math.cos(angle), y: origin.y + 90 * Math.sin(angle) };
      added.push(cy.add({ group: "nodes", data: nodeData(n), position: position }));
    });
    edges.forEach(function (e) {
      if (cy.getElementById(e.id).empty() && cy.getElementById(e.source).nonempty() &&
          cy.getElementById(e.target).nonempty()) {
        added.push(cy.add({ group: "edges", data: edgeData(e) }));
      }
    });
    return added.length;
  }

  function layout() {
    var done = new Promise(function (resolve) {
      var run = cy.layout({ name: "cose", animate: false, randomize: false, fit: true, padding: 30,
                            nodeRepulsion: function () { return 40000; }, idealEdgeLength: function () { return 110; },
                            nodeOverlap: 20, componentSpacing: 80, edgeElasticity: function () { return 100; } });
      run.one("layoutstop", resolve);
      run.run();
    });
    return done.then(refreshLists);
  }

  function refreshLists() {
    var legend = {};
    var list = $("drawn");
    list.textContent = "";
    cy.nodes().sort(function (a, b) { return a.data("shown").localeCompare(b.data("shown")); }).forEach(function (n) {
      legend[n.data("type")] = n.data("type_" + lang());
      var li = document.createElement("li");
      li.dataset.iri = n.id();
      li.textContent = n.data("shown") + " (" + n.data("type_" + lang()) + ")";
      list.appendChild(li);
    });
    $("drawn-count").textContent = String(cy.nodes().length);
    var ul = $("legend");
    ul.textContent = "";
    Object.keys(legend).sort().forEach(function (type) {
      var li = document.createElement("li");
      var swatch = document.createElement("span");
      swatch.className = "swatch";
      swatch.style.background = typeColour(type);
      li.appendChild(swatch);
      li.appendChild(document.createTextNode(legend[type] + " " + type));
      ul.appendChild(li);
    });
  }

  function expand(iri) {
    status("…");
    return getJSON("/neighbours", "iri=" + encodeURIComponent(iri) + "&hops=1").then(function (body) {
      var id = body.focus.id;
      var added = add([body.focus].concat(body.nodes), body.edges, id);
      expanded[id] = true;
      cy.getElementById(id).addClass("expanded");
      status((lang() === "zh" ? "新增 " : "added ") + added + (body.truncated ? " (truncated)" : ""));
      return layout().then(function () { return id; });
    }).catch(function (err) { status(err.message, true); });
  }

  function select(iri) {
    var node = cy.getElementById(iri);
    if (node.empty()) { return; }
    cy.elements().unselect();
    node.select();
    selected = iri;
    $("details").hidden = false;
    $("details-label").textContent = node.data("label_zh") + " · " + node.data("label_en");
    $("details-type").textContent = node.data("type_zh") + " / " + node.data("type_en") +
      (node.data("code") ? " · " + node.data("code") : "");
    $("details-page").href = node.data("path") || iri;
    getJSON("/entity", "iri=" + encodeURIComponent(iri)).then(function (body) {
      if (selected !== iri) { return; }
      var parts = Object.keys(body.edges_by_predicate).map(function (p) { return p + " " + body.edges_by_predicate[p]; });
      $("details-counts").textContent = (lang() === "zh" ? "关系 " : "links ") + body.degree + ": " + parts.join(", ");
    }).catch(function () {});
  }

  function focus(iri) {
    return expand(iri).then(function (id) {
      if (id) { select(id); cy.center(cy.getElementById(id)); }
      return id;
    });
  }

  function search(text) {
    return getJSON("/search", "q=" + encodeURIComponent(text) + "&limit=15").then(function (body) {
      var ul = $("search-results");
      ul.textContent = "";
      if (!body.results.length) { status(lang() === "zh" ? "未找到" : "nothing found"); }
      body.results.forEach(function (r) {
        var li = document.createElement("li");
        var button = document.createElement("button");
        button.type = "button";
        button.dataset.iri = r.id;
        button.style.borderLeftColor = typeColour(r.type);
        button.textContent = r.label_zh + " · " + r.label_en + " (" + r["type_" + lang()] + ")";
        button.addEventListener("click", function () { focus(r.id); });
        li.appendChild(button);
        ul.appendChild(li);
      });
      return body.results;
    }).catch(function (err) { status(err.message, true); return []; });
  }

  function resolve(text) {
    if (pathEnds[text]) { return Promise.resolve(pathEnds[text]); }
    if (/^(https?:|\/id\/)/.test(text)) { return Promise.resolve(text); }
    return getJSON("/search", "q=" + encodeURIComponent(text) + "&limit=1").then(function (body) {
      if (!body.results.length) { throw new Error((lang() === "zh" ? "未找到: " : "not found: ") + text); }
      return body.results[0].id;
    });
  }

  function findPath(fromText, toText, k) {
    var list = $("path-results");
    list.textContent = "";
    status("…");
    return Promise.all([resolve(fromText), resolve(toText)]).then(function (ends) {
      return getJSON("/paths", "from=" + encodeURIComponent(ends[0]) + "&to=" + encodeURIComponent(ends[1]) +
                     "&k=" + encodeURIComponent(k || 3));
    }).then(function (body) {
      cy.elements().removeClass("path");
      if (!body.paths.length) {
        status(lang() === "zh" ? "没有路径" : "no path within " + body.max_hops + " hops");
        return body;
      }
      body.paths.forEach(function (path, i) {
        var nodes = path.nodes;
        var edges = path.steps.map(function (s) { return s.edge; });
        add(nodes, edges);
        if (i === 0) {
          nodes.forEach(function (n) { cy.getElementById(n.id).addClass("path"); });
          edges.forEach(function (e) { cy.getElementById(e.id).addClass("path"); });
        }
        var li = document.createElement("li");
        var zh = document.createElement("p");
        zh.className = "path-zh";
        zh.textContent = path.text_zh;
        var en = document.createElement("p");
        en.className = "path-en";
        en.textContent = path.text_en;
        li.appendChild(zh);
        li.appendChild(en);
        var steps = document.createElement("ul");
        path.steps.forEach(function (s) {
          var step = document.createElement("li");
          step.textContent = s["text_" + lang()];
          steps.appendChild(step);
        });
        li.appendChild(steps);
        list.appendChild(li);
      });
      status("");
      return layout().then(function () { return body; });
    }).catch(function (err) { status(err.message, true); });
  }

  function relabel() {
    cy.nodes().forEach(function (n) { n.data("shown", n.data("label_" + lang())); });
    cy.edges().forEach(function (e) { e.data("shown", e.data("label_" + lang())); });
    refreshLists();
  }

  cy.on("tap", "node", function (evt) {
    var iri = evt.target.id();
    select(iri);
    if (!expanded[iri]) { expand(iri); }
  });

  $("search-form").addEventListener("submit", function (e) { e.preventDefault(); search($("search").value); });
  $("path-form").addEventListener("submit", function (e) {
    e.preventDefault();
    findPath($("path-from").value, $("path-to").value, $("path-k").value);
  });
  $("details-expand").addEventListener("click", function () { if (selected) { expand(selected); } });
  $("details-from").addEventListener("click", function () { setEnd("path-from"); });
  $("details-to").addEventListener("click", function () { setEnd("path-to"); });
  $("opt-lang").addEventListener("change", relabel);
  $("clear").addEventListener("click", function () {
    cy.elements().remove(); expanded = {}; $("details").hidden = true; $("path-results").textContent = ""; refreshLists();
  });
  ["opt-inferred", "opt-evidence", "opt-collapse"].forEach(function (id) {
    $(id).addEventListener("change", function () {
      var keep = cy.nodes().map(function (n) { return n.id(); }).filter(function (iri) { return expanded[iri]; });
      cy.elements().remove(); expanded = {};
      keep.reduce(function (p, iri) { return p.then(function () { return expand(iri); }); }, Promise.resolve());
    });
  });

  function setEnd(field) {
    if (!selected) { return; }
    var node = cy.getElementById(selected);
    var shown = node.data("label_" + lang());
    pathEnds[shown] = selected;
    $(field).value = shown;
  }

  window.explorer = { cy: cy, focus: focus, expand: expand, search: search, findPath: findPath };
  var start = new URLSearchParams(window.location.search).get("iri");
  if (start) { focus(start); }
}());
