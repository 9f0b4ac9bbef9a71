/* The query page: YASGUI (vendor/yasgui) set up for this service, the named queries one click
   away, and download links for the current query in every result format.
   Nothing here or in YASGUI as configured makes a request to another host. */
(function () {
  "use strict";

  var config = JSON.parse(document.getElementById("query-config").textContent);
  var endpoint = new URL(config.endpoint, window.location.href).href;

  // Offline: YASQE's "property" and "class" completers ask Linked Open Vocabularies over the
  // network; keep only the local ones (prefixes from the bundled list, variables).
  var completers = Yasgui.Yasqe.defaults.autocompleters;
  ["property", "class"].forEach(function (name) {
    var i = completers.indexOf(name);
    if (i >= 0) completers.splice(i, 1);
  });

  var yasgui = new Yasgui(document.getElementById("yasgui"), {
    persistenceId: "xiancheng-query",
    tabName: "查询 Query",
    corsProxy: undefined,
    requestConfig: {
      endpoint: endpoint,
      method: "POST",
      acceptHeaderSelect: "application/sparql-results+json,*/*;q=0.9",
      acceptHeaderGraph: "text/turtle,*/*;q=0.9"
    },
    // A shared link (#query=…) opens its query here, never at an endpoint the link names.
    populateFromUrl: function (tab) {
      tab.requestConfig.endpoint = endpoint;
      return tab;
    },
    endpointCatalogueOptions: {
      getData: function () { return [{ endpoint: endpoint }]; }
    },
    yasqe: { value: config.defaultQuery, prefixCcApi: null, editorHeight: "260px" },
    yasr: { prefixes: config.prefixes }
  });

  // IRIs of this dataset resolve at this service (/id/…, /def/…, /graph/…), not at the base IRI's
  // host: point the result table's links here.
  var local = window.location.origin + "/";
  function pointHere(root) {
    root.querySelectorAll('a[href^="' + config.base + '"]').forEach(function (a) {
      a.href = local + a.getAttribute("href").slice(config.base.length);
      a.removeAttribute("target");
    });
  }
  new MutationObserver(function (changes) {
    changes.forEach(function (change) {
      change.addedNodes.forEach(function (node) { if (node.querySelectorAll) pointHere(node); });
    });
  }).observe(document.getElementById("yasgui"), { childList: true, subtree: true });

  // This page queries this service: tabs remembered from an earlier visit (perhaps on another
  // port) are pointed at the current endpoint.
  yasgui.persistentConfig.getTabs().forEach(function (id) {
    var tab = yasgui.getTab(id);
    if (tab && tab.getEndpoint() !== endpoint) tab.setEndpoint(endpoint);
  });

  // --- download links for the current query ------------------------------------------------

  var downloads = document.getElementById("downloads");
  var watched = new WeakSet();

  function downloadLink(query, requestConfig, format) {
    var params = new URLSearchParams();
    params.append("query", query);
    (requestConfig.defaultGraphs || []).forEach(function (g) { params.append("default-graph-uri", g); });
    (requestConfig.namedGraphs || []).forEach(function (g) { params.append("named-graph-uri", g); });
    (requestConfig.args || []).forEach(function (a) {
      if (a.name && !["query", "format", "download"].includes(a.name)) params.append(a.name, a.value);
    });
    params.append("format", format);
    params.append("download", "1");
    return config.endpoint + "?" + params.toString();
  }

  function updateDownloads() {
    var tab = yasgui.getTab();
    var yasqe = tab && tab.getYasqe();
    if (!yasqe) return;
    if (!watched.has(yasqe)) {
      watched.add(yasqe);
      yasqe.on("change", updateDownloads);
    }
    var type = yasqe.getQueryType();
    var query = yasqe.getValue();
    var links = downloads.querySelector(".links");
    links.textContent = "";
    if (!type || yasqe.getQueryMode() !== "query" || !query.trim()) {
      downloads.hidden = true;
      return;
    }
    var graph = type === "CONSTRUCT" || type === "DESCRIBE";
    (graph ? config.formats.graph : config.formats.select).forEach(function (format, i) {
      if (i) links.append(" · ");
      var a = document.createElement("a");
      a.href = downloadLink(query, tab.getRequestConfig(), format);
      a.textContent = format;
      a.dataset.format = format;
      a.setAttribute("download", "");
      links.append(a);
    });
    downloads.hidden = false;
  }

  yasgui.on("tabSelect", function () { setTimeout(updateDownloads); });
  yasgui.on("tabAdd", function () { setTimeout(updateDownloads); });
  yasgui.on("query", updateDownloads);
  updateDownloads();

  // --- named queries -----------------------------------------------------------------------

  var errorBox = document.getElementById("named-error");

  function tabNamed(name) {
    var found = null;
    yasgui.persistentConfig.getTabs().forEach(function (id) {
      var tab = yasgui.getTab(id);
      if (tab && tab.getName() === name) found = tab;
    });
    if (found) {
      yasgui.selectTabId(found.getId());
      return found;
    }
    return yasgui.addTab(true, { name: name });
  }

  function openNamed(item) {
    var params = new URLSearchParams();
    item.querySelectorAll("input[name]").forEach(function (input) {
      if (input.value.trim()) params.append(input.name, input.value.trim());
    });
    var url = item.dataset.text + (params.toString() ? "?" + params.toString() : "");
    errorBox.hidden = true;
    return fetch(url, { headers: { Accept: "application/sparql-query, application/json;q=0.5" } })
      .then(function (response) {
        if (response.ok) return response.text();
        return response.json().then(function (body) {
          throw new Error(body.error ? body.error.detail : response.statusText);
        });
      })
      .then(function (text) {
        var tab = tabNamed(item.dataset.name);
        tab.setQuery(text);
        updateDownloads();
        tab.query().catch(function () {});  // YASR shows a failed query's error itself
      })
      .catch(function (error) {
        errorBox.textContent = item.dataset.name + ": " + error.message;
        errorBox.hidden = false;
      });
  }

  document.querySelectorAll(".named-query").forEach(function (item) {
    item.querySelector("button").addEventListener("click", function () { openNamed(item); });
    item.querySelectorAll("input").forEach(function (input) {
      input.addEventListener("keydown", function (event) {
        if (event.key === "Enter") openNamed(item);
      });
    });
  });

  window.xianchengQuery = { yasgui: yasgui, openNamed: openNamed };
})();
