/* The map view: Shanxi's divisions drawn at their centroids as SVG circles (no tiles, no
   boundaries), marked by a programme, by the specialty towns and e-towns in them, or shaded by an
   indicator. Data from this service's /network/map. */
(function () {
  "use strict";
  var root = document.getElementById("mapview");
  var SVG = "http://www.w3.org/2000/svg";
  var typeColour = window.xiancheng.typeColour;
  var $ = function (id) { return document.getElementById(id); };
  var SCALE = 100;  // SVG units per degree of latitude

  function getJSON(url) {
    return fetch(url, { headers: { "Accept": "application/json" } }).then(function (response) {
      return response.json().then(function (body) {
        if (!response.ok) { throw new Error(body && body.error ? body.error.detail : response.statusText); }
        return body;
      });
    });
  }

  function status(text, isError) {
    $("map-status").textContent = text || "";
    $("map-status").className = isError ? "error" : "";
  }

  function option(select, value, text) {
    var o = document.createElement("option");
    o.value = value;
    o.textContent = text;
    select.appendChild(o);
  }

  function shade(t) {  // light orange to dark red
    var a = [253, 224, 197], b = [122, 31, 31];
    return "rgb(" + a.map(function (x, i) { return Math.round(x + (b[i] - x) * t); }).join(",") + ")";
  }

  function el(name, attrs) {
    var node = document.createElementNS(SVG, name);
    Object.keys(attrs).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    return node;
  }

  function isPrefecture(d) { return d.type === "xc:PrefectureLevelCity"; }

  function fill(d, data) {
    if (data.layer === "none") { return typeColour(d.type); }
    if (d.value === null || d.value === undefined) { return "#d5dbe1"; }
    if (data.layer === "indicator") {
      var span = data.max - data.min;
      return shade(span > 0 ? (d.value - data.min) / span : 1);
    }
    return data.layer === "towns" ? "#27ae60" : "#c0392b";
  }

  function radius(d, data) {
    var r = isPrefecture(d) ? 9 : 4.5;
    if (data.layer === "towns" && d.value) { r += 2 * d.value; }
    return r;
  }

  function describe(d, data) {
    if (data.layer === "towns") { return d.detail.map(function (t) { return t.label_zh; }).join("、"); }
    if (data.layer === "programme") {
      return d.detail.map(function (x) { return x.designee.label_zh + (x.details_zh ? " (" + x.details_zh + ")" : ""); }).join("; ");
    }
    if (data.layer === "indicator") {
      return d.value === null ? "" : d.value.toLocaleString("zh-CN") + (data.unit && data.unit.label_zh ? " " + data.unit.label_zh : "");
    }
    return d.type_zh;
  }

  function showDetails(d, data) {
    $("map-details").hidden = false;
    $("map-details-label").textContent = d.label_zh + " · " + d.label_en;
    $("map-details-type").textContent = d.type_zh + " / " + d.type_en + " · " + (d.code || "");
    var ul = $("map-details-list");
    ul.textContent = "";
    if (d.value !== null && d.value !== undefined) {
      var li = document.createElement("li");
      li.textContent = describe(d, data);
      ul.appendChild(li);
    }
    $("map-details-page").href = d.path || d.id;
    $("map-details-explore").href = root.dataset.explorer + "?iri=" + encodeURIComponent(d.id);
    Array.prototype.forEach.call(document.querySelectorAll("#map circle.selected"), function (c) { c.classList.remove("selected"); });
    var circle = document.querySelector('#map circle[data-iri="' + d.id + '"]');
    if (circle) { circle.classList.add("selected"); }
  }

  function draw(data) {
    var svg = $("map");
    svg.textContent = "";
    var ds = data.divisions;
    var lats = ds.map(function (d) { return d.lat; }), lons = ds.map(function (d) { return d.lon; });
    var minLat = Math.min.apply(null, lats), maxLat = Math.max.apply(null, lats);
    var minLon = Math.min.apply(null, lons), maxLon = Math.max.apply(null, lons);
    var k = Math.cos((minLat + maxLat) / 2 * Math.PI / 180);
    var x = function (lon) { return (lon - minLon) * k * SCALE; };
    var y = function (lat) { return (maxLat - lat) * SCALE; };
    var pad = 30;
    svg.setAttribute("viewBox", [-pad, -pad, x(maxLon) + 2 * pad, y(minLat) + 2 * pad].join(" "));
    var ordered = ds.slice().sort(function (a, b) { return isPrefecture(b) - isPrefecture(a); });
    ordered.forEach(function (d) {
      var c = el("circle", { cx: x(d.lon).toFixed(2), cy: y(d.lat).toFixed(2), r: radius(d, data),
                             fill: fill(d, data), "data-iri": d.id, "data-code": d.code || "" });
      c.setAttribute("class", "division" + (d.value !== null && d.value !== undefined ? " marked" : "") +
                     (isPrefecture(d) ? " prefecture" : ""));
      if (isPrefecture(d)) { c.setAttribute("fill-opacity", data.layer === "none" ? "0.35" : "0.8"); }
      var title = el("title", {});
      var extra = describe(d, data);
      title.textContent = d.label_zh + " " + d.label_en + (extra ? " — " + extra : "");
      c.appendChild(title);
      c.addEventListener("click", function () { showDetails(d, data); });
      svg.appendChild(c);
    });
    ds.filter(isPrefecture).forEach(function (d) {
      var t = el("text", { x: (x(d.lon) + 11).toFixed(2), y: (y(d.lat) + 4).toFixed(2), "class": "city" });
      t.textContent = d.label_zh;
      svg.appendChild(t);
    });
    $("map-title").textContent = data.title_zh + " · " + data.title_en +
      (data.period ? " (" + data.period.split("/").pop() + ")" : "");
    legend(data);
    table(data);
  }

  function legend(data) {
    var box = $("map-legend");
    box.textContent = "";
    var items = [];
    if (data.layer === "none") {
      var types = {};
      data.divisions.forEach(function (d) { types[d.type] = d.type_zh + " " + d.type_en; });
      items = Object.keys(types).sort().map(function (t) { return [typeColour(t), types[t]]; });
    } else if (data.layer === "indicator") {
      var unit = data.unit && data.unit.label_zh ? " " + data.unit.label_zh : "";
      items = [[shade(0), "最低 min " + (data.min === null ? "—" : data.min.toLocaleString("zh-CN")) + unit],
               [shade(1), "最高 max " + (data.max === null ? "—" : data.max.toLocaleString("zh-CN")) + unit],
               ["#d5dbe1", "无数据 no figure"]];
    } else {
      items = [[data.layer === "towns" ? "#27ae60" : "#c0392b", data.layer === "towns" ? "有(圆越大越多) has some (larger: more)" : "入选 designated"],
               ["#d5dbe1", "无 none"]];
    }
    items.forEach(function (item) {
      var row = document.createElement("div");
      var swatch = document.createElement("span");
      swatch.className = "swatch";
      swatch.style.background = item[0];
      row.appendChild(swatch);
      row.appendChild(document.createTextNode(item[1]));
      box.appendChild(row);
    });
  }

  function table(data) {
    var body = document.querySelector("#map-table tbody");
    body.textContent = "";
    data.divisions.filter(function (d) { return d.value !== null && d.value !== undefined; })
      .sort(function (a, b) { return b.value - a.value || (a.code || "").localeCompare(b.code || ""); })
      .forEach(function (d) {
        var tr = document.createElement("tr");
        tr.dataset.iri = d.id;
        [d.label_zh + " " + d.label_en, d.code || "", String(d.value), describe(d, data)].forEach(function (text) {
          var td = document.createElement("td");
          td.textContent = text;
          tr.appendChild(td);
        });
        body.appendChild(tr);
      });
  }

  function current() {
    var layer = $("layer").value;
    var params = "layer=" + encodeURIComponent(layer);
    if (layer === "programme") { params += "&programme=" + encodeURIComponent($("programme").value); }
    if (layer === "indicator") { params += "&indicator=" + encodeURIComponent($("indicator").value); }
    return params;
  }

  function update() {
    var form = $("layer-form");
    form.className = "show-" + $("layer").value;
    var params = current();
    history.replaceState(null, "", "?" + params);
    status("…");
    return getJSON(root.dataset.api + "?" + params).then(function (data) {
      draw(data);
      status("");
      return data;
    }).catch(function (err) { status(err.message, true); });
  }

  var wanted = new URLSearchParams(window.location.search);
  getJSON(root.dataset.options).then(function (opts) {
    opts.programmes.forEach(function (p) { option($("programme"), p.id, p.label_zh + " · " + p.label_en + " (" + p.divisions + ")"); });
    opts.indicators.forEach(function (i) { option($("indicator"), i.id, i.label_zh + " · " + i.label_en + " (" + i.divisions + ")"); });
    ["layer", "programme", "indicator"].forEach(function (name) {
      if (wanted.get(name)) { $(name).value = wanted.get(name); }
      $(name).addEventListener("change", update);
    });
    return update();
  }).catch(function (err) { status(err.message, true); });

  window.shanxiMap = { update: update };
}());
