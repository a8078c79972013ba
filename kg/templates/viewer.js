/* kg graph viewer. Every string from the graph is untrusted: it arrives as JSON data and reaches the
   page through textContent / createTextNode only (labels are drawn on the vis-network canvas). */
(function () {
  "use strict";
  var timing = window.kgTiming = {start: performance.now()};
  function data(id) { return JSON.parse(document.getElementById(id).textContent); }
  var META = data("kg-meta"), N = data("kg-nodes"), E = data("kg-edges"), DETAILS = null;
  timing.parsed = performance.now();
  function details() { if (!DETAILS) { DETAILS = data("kg-details"); } return DETAILS; }
  var STR = META.strings, TYPES = META.types, RELS = META.relations;
  var nN = N.label.length, nE = E.from.length;
  var REL = {}; RELS.forEach(function (r, i) { REL[r.name] = i; });
  var GLYPH = {dot: "\u25CF", square: "\u25A0", star: "\u2605", triangle: "\u25B2", diamond: "\u25C6", hexagon: "\u2B22"};
  var FONT = '"Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "PingFang SC", "Microsoft YaHei", sans-serif';

  function $(id) { return document.getElementById(id); }
  function el(tag, text, cls) {
    var e = document.createElement(tag);
    if (text !== undefined && text !== null) { e.textContent = String(text); }
    if (cls) { e.className = cls; }
    return e;
  }
  function nodeName(i) { return N.search[i][0]; }
  function fmt(n) { return Number(n).toLocaleString("en-US"); }

  /* ---------- adjacency ---------- */
  var adj = new Array(nN);
  for (var i = 0; i < nN; i++) { adj[i] = []; }
  for (var e = 0; e < nE; e++) { adj[E.from[e]].push(e); adj[E.to[e]].push(e); }

  /* ---------- state and visibility ---------- */
  var state = {typeOn: TYPES.map(function () { return true; }), relOn: RELS.map(function () { return true; }),
               program: -1, year: null, undated: true, showAll: !META.limited, pinned: new Set(), focus: -1};
  var nodeOK = new Uint8Array(nN), edgeOK = new Uint8Array(nE);
  var progNodes = null, progNames = null;

  function yearOK(e) {
    var y = E.year[e];
    return y === null ? state.undated : (state.year === null || y <= state.year);
  }
  function computeVisibility() {
    var i, e, prog = state.program >= 0;
    for (i = 0; i < nN; i++) {
      var ok = state.typeOn[N.type[i]] && (prog ? progNodes[i] === 1 : (state.showAll || N.top[i] === 1));
      nodeOK[i] = (ok || state.pinned.has(i)) ? 1 : 0;
    }
    for (e = 0; e < nE; e++) {
      var f = E.from[e], t = E.to[e];
      edgeOK[e] = (state.relOn[E.rel[e]] && nodeOK[f] && nodeOK[t] && yearOK(e) &&
                   (!prog || E.rel[e] !== REL.spreads_to || progNames.has(STR[E.program[e]]))) ? 1 : 0;
    }
    if (state.year !== null || !state.undated) {
      var has = new Uint8Array(nN);
      for (e = 0; e < nE; e++) { if (edgeOK[e]) { has[E.from[e]] = 1; has[E.to[e]] = 1; } }
      for (i = 0; i < nN; i++) { if (nodeOK[i] && !has[i] && !state.pinned.has(i)) { nodeOK[i] = 0; } }
    }
  }

  /* ---------- vis data ---------- */
  var groups = {};
  TYPES.forEach(function (t, k) {
    groups["t" + k] = {shape: t.shape, color: {background: t.color, border: t.color,
      highlight: {background: t.color, border: "#222"}, hover: {background: t.color, border: "#222"}}};
  });
  var nodeItems = new Array(nN), edgeItems = new Array(nE);
  /* Arrow heads cost as much to draw as the edges: above 3,000 relations only the ones whose
     direction is not obvious from the node types keep them (the side panel always says). */
  var arrowAll = nE <= 3000, ARROWS = {spreads_to: 1, evolves_into: 1, affiliated_with: 1, partners_with: 1};
  for (i = 0; i < nN; i++) {
    nodeItems[i] = {id: i, label: N.label[i], group: "t" + N.type[i], x: N.x[i], y: N.y[i], value: N.value[i]};
  }
  function edgeColor(e, opacity) {
    var c = RELS[E.rel[e]].color;
    return {color: c, highlight: c, hover: c, opacity: opacity};
  }
  for (e = 0; e < nE; e++) {
    edgeItems[e] = {id: e, from: E.from[e], to: E.to[e], value: E.value[e], color: edgeColor(e, 0.6)};
    if (!arrowAll && !ARROWS[RELS[E.rel[e]].name]) { edgeItems[e].arrows = {to: {enabled: false}}; }
    if (E.parallel[e] > 0) { edgeItems[e].smooth = {enabled: true, type: "curvedCW", roundness: 0.15 * E.parallel[e]}; }
  }
  computeVisibility();
  var nodesDS = new vis.DataSet(nodeItems), edgesDS = new vis.DataSet(edgeItems);
  timing.datasets = performance.now();
  var nodesView = new vis.DataView(nodesDS, {filter: function (n) { return nodeOK[n.id] === 1; }});
  var edgesView = new vis.DataView(edgesDS, {filter: function (x) { return edgeOK[x.id] === 1; }});
  var shown = nodesView.length, large = shown > 1500;
  function linear(min, max, total, value) { return max === min ? 0.2 : (value - min) / (max - min); }
  var LABEL = {min: 12, max: 30, threshold: 9};  /* label sizes in canvas px; hidden under threshold - 1 on screen */
  var options = {
    autoResize: true,
    groups: groups,
    layout: {improvedLayout: false},
    physics: {enabled: false, solver: "forceAtlas2Based", stabilization: false},
    interaction: {hover: true, hideEdgesOnDrag: large, hideEdgesOnZoom: large, tooltipDelay: 3600000,
                  multiselect: false, navigationButtons: false, keyboard: false},
    nodes: {borderWidth: 1, borderWidthSelected: 3,
            scaling: {min: 6, max: 40, customScalingFunction: linear,
                      label: {enabled: true, min: LABEL.min, max: LABEL.max, drawThreshold: LABEL.threshold}},
            font: {size: 14, face: FONT, color: "#222", strokeWidth: 3, strokeColor: "#ffffff"}},
    edges: {smooth: false, arrows: {to: {enabled: true, scaleFactor: 0.45}},
            scaling: {min: 1, max: 5, customScalingFunction: linear, label: {enabled: false}},
            selectionWidth: 1.5, hoverWidth: 0.5}
  };
  var container = $("graph");
  var net = new vis.Network(container, {nodes: nodesView, edges: edgesView}, options);
  timing.network = performance.now();
  net.fit({animation: false});
  timing.fitted = performance.now();
  net.once("afterDrawing", function () { window.kgDrawn = timing.drawn = performance.now(); });

  /* Labels: vis-network scales them with node size and skips those under 8px on screen, so small
     nodes lose their labels when zoomed out. Zoomed out, the biggest visible nodes get an overlay
     label at a fixed screen size instead, placed greedily without overlaps. */
  var valueRange = [0, 0], widths = new Float32Array(nN);
  var byValue = Array.from({length: nN}, function (_, k) { return k; })
    .sort(function (a, b) { return N.value[b] - N.value[a] || a - b; });
  var measureCtx = document.createElement("canvas").getContext("2d");
  measureCtx.font = "13px " + FONT;
  function updateValueRange() {
    var lo = Infinity, hi = -Infinity;
    for (var k = 0; k < nN; k++) { if (nodeOK[k]) { lo = Math.min(lo, N.value[k]); hi = Math.max(hi, N.value[k]); } }
    valueRange = [lo, hi];
  }
  function unit(i) { return linear(valueRange[0], valueRange[1], 0, N.value[i]); }
  updateValueRange();
  net.on("afterDrawing", function (ctx) {
    var scale = net.getScale();
    if (LABEL.min * scale >= LABEL.threshold - 1) { return; }
    var rect = container.getBoundingClientRect();
    var a = net.DOMtoCanvas({x: 0, y: 0}), b = net.DOMtoCanvas({x: rect.width, y: rect.height});
    var boxes = [], fs = 13 / scale, placed = 0;
    ctx.save();
    ctx.font = fs + "px " + FONT; ctx.textAlign = "center"; ctx.textBaseline = "top";
    ctx.lineWidth = 3 / scale; ctx.strokeStyle = "rgba(255,255,255,0.9)"; ctx.fillStyle = "#222"; ctx.lineJoin = "round";
    for (var k = 0; k < nN && placed < 40 && k < 3000; k++) {
      var i = byValue[k];
      if (!nodeOK[i] || dimFlag[i]) { continue; }
      var u = unit(i);
      if ((LABEL.min + u * (LABEL.max - LABEL.min)) * scale >= LABEL.threshold - 1) { continue; }
      var p = net.getPosition(i);
      if (p.x < a.x || p.x > b.x || p.y < a.y || p.y > b.y) { continue; }
      if (!widths[i]) { widths[i] = measureCtx.measureText(N.label[i]).width || 1; }
      var w = widths[i] / scale, y = p.y + (6 + u * 34) + 2 / scale;
      var box = [p.x - w / 2 - 4 / scale, y, p.x + w / 2 + 4 / scale, y + 17 / scale], clash = false;
      for (var j = 0; j < boxes.length && !clash; j++) {
        var o = boxes[j];
        clash = box[0] < o[2] && o[0] < box[2] && box[1] < o[3] && o[1] < box[3];
      }
      if (clash) { continue; }
      boxes.push(box); placed++;
      ctx.strokeText(N.label[i], p.x, y);
      ctx.fillText(N.label[i], p.x, y);
    }
    ctx.restore();
  });

  /* ---------- header, legend, filters ---------- */
  $("title").textContent = META.title;
  var stats = $("stats");
  function updateStats() {
    var nv = nodesView.length, ev = edgesView.length;
    stats.textContent = "显示 " + fmt(nv) + " / " + fmt(nN) + " 个实体 · " + fmt(ev) + " / " + fmt(nE) + " 条关系";
    window.kg.visible = {nodes: nv, edges: ev};
  }
  function apply(refit) {
    computeVisibility();
    clearHighlight();
    nodesView.refresh();
    edgesView.refresh();
    updateStats();
    updateValueRange();
    if (refit) { net.fit({animation: false}); }
  }

  function legendRow(box, glyph, color, label, count, onToggle) {
    var lab = el("label"), cb = el("input");
    cb.type = "checkbox"; cb.checked = true;
    var g = glyph ? el("span", glyph, "glyph") : el("span", null, "swatch");
    g.style.color = color;
    if (!glyph) { g.style.background = color; }
    lab.appendChild(cb); lab.appendChild(g); lab.appendChild(el("span", label)); lab.appendChild(el("span", fmt(count), "count"));
    cb.addEventListener("change", function () { lab.classList.toggle("off", !cb.checked); onToggle(cb.checked); });
    box.appendChild(lab);
    return cb;
  }
  TYPES.forEach(function (t, k) {
    if (!t.count) { return; }
    var cb = legendRow($("types"), GLYPH[t.shape] || "\u25CF", t.color, t.label + " " + t.name, t.count,
                       function (on) { state.typeOn[k] = on; apply(false); });
    cb.dataset.type = t.name;
  });
  RELS.forEach(function (r, k) {
    if (!r.count) { return; }
    var cb = legendRow($("rels"), null, r.color, r.label + " " + r.name, r.count,
                       function (on) { state.relOn[k] = on; apply(false); });
    cb.dataset.relation = r.name;
  });

  var progSel = $("program");
  META.programs.forEach(function (p) {
    var o = el("option", nodeName(p[0]) + "  (" + p[1] + ")");
    o.title = "采用 adopts + 扩散 spreads_to: " + p[1];
    o.value = String(p[0]);
    progSel.appendChild(o);
  });
  function setProgram(p) {
    state.program = p;
    progSel.value = p >= 0 ? String(p) : "";
    if (p < 0) { progNodes = progNames = null; apply(true); return; }
    var S = new Set([p]), fam = N.family[p] >= 0 ? STR[N.family[p]] : null, i, e;
    if (fam !== null && fam === nodeName(p)) {
      for (i = 0; i < nN; i++) { if (N.family[i] >= 0 && STR[N.family[i]] === fam) { S.add(i); } }
    }
    adj[p].forEach(function (e) { if (E.rel[e] === REL.evolves_into) { S.add(E.from[e]); S.add(E.to[e]); } });
    progNames = new Set();
    S.forEach(function (s) { N.search[s].forEach(function (n) { progNames.add(n); }); });
    progNodes = new Uint8Array(nN);
    S.forEach(function (s) { progNodes[s] = 1; });
    for (e = 0; e < nE; e++) {
      var r = E.rel[e];
      if ((r === REL.adopts && S.has(E.to[e])) ||
          (r === REL.spreads_to && progNames.has(STR[E.program[e]]))) {
        progNodes[E.from[e]] = 1; progNodes[E.to[e]] = 1;
      }
    }
    apply(true);
  }
  progSel.addEventListener("change", function () { setProgram(progSel.value === "" ? -1 : Number(progSel.value)); });

  var yearInput = $("year"), yearLabel = $("yearlabel"), playBtn = $("play"), timer = null;
  function showYear() { yearLabel.textContent = state.year === null ? "全部 · all" : "≤ " + state.year; }
  if (META.years) {
    $("yearbox").hidden = false;
    yearInput.min = META.years[0]; yearInput.max = META.years[1] + 1; yearInput.value = META.years[1] + 1;
    showYear();
    yearInput.addEventListener("input", function () {
      var v = Number(yearInput.value);
      state.year = v > META.years[1] ? null : v;
      showYear(); apply(false);
    });
    playBtn.addEventListener("click", function () {
      if (timer) { clearInterval(timer); timer = null; playBtn.textContent = "\u25B6"; return; }
      var v = state.year === null || state.year >= META.years[1] ? META.years[0] : state.year + 1;
      playBtn.textContent = "\u275A\u275A";
      function step() {
        yearInput.value = v; state.year = v > META.years[1] ? null : v; showYear(); apply(false);
        if (v > META.years[1]) { clearInterval(timer); timer = null; playBtn.textContent = "\u25B6"; }
        v += 1;
      }
      step();
      if (state.year !== null) { timer = setInterval(step, 900); } else { playBtn.textContent = "\u25B6"; }
    });
  }
  $("undated").addEventListener("change", function () { state.undated = this.checked; apply(false); });
  $("fit").addEventListener("click", function () { net.fit({animation: {duration: 300}}); });
  $("reset").addEventListener("click", function () {
    if (timer) { clearInterval(timer); timer = null; playBtn.textContent = "\u25B6"; }
    document.querySelectorAll(".legend input").forEach(function (cb) { cb.checked = true; cb.parentNode.classList.remove("off"); });
    state.typeOn = state.typeOn.map(function () { return true; });
    state.relOn = state.relOn.map(function () { return true; });
    state.year = null; state.undated = true; $("undated").checked = true;
    if (META.years) { yearInput.value = META.years[1] + 1; showYear(); }
    state.pinned = new Set(); $("search").value = ""; hideResults();
    state.program = -1; progNodes = progNames = null; progSel.value = "";
    apply(true); showHint();
  });
  if (META.limited) {
    var notice = $("notice");
    notice.hidden = false;
    notice.textContent = "大图：共 " + fmt(META.total) + " 个实体，默认只显示关联最多的 " + fmt(META.shown) +
      " 个；搜索、模式筛选或“显示全部”可看到其余。 Large graph: showing the " + fmt(META.shown) +
      " most connected of " + fmt(META.total) + " entities; search, the program filter or “show all” reach the rest.";
    var showAllBtn = $("showall");
    showAllBtn.hidden = false;
    showAllBtn.addEventListener("click", function () {
      state.showAll = true; showAllBtn.disabled = true; notice.hidden = true; apply(true);
    });
  }
  if (META.physics) {
    $("physicsbox").hidden = false;
    $("physics").addEventListener("change", function () { net.setOptions({physics: {enabled: this.checked}}); });
  }

  /* ---------- highlight a neighbourhood ---------- */
  var dimmedNodes = [], dimmedEdges = [], dimFlag = new Uint8Array(nN);
  function clearHighlight() {
    if (dimmedNodes.length) {
      nodesDS.update(dimmedNodes.map(function (i) { return {id: i, opacity: 1, font: {color: "#222"}}; }));
    }
    if (dimmedEdges.length) {
      edgesDS.update(dimmedEdges.map(function (e) { return {id: e, color: edgeColor(e, 0.6)}; }));
    }
    dimmedNodes = []; dimmedEdges = []; dimFlag.fill(0);
    state.focus = -1;
  }
  function highlight(n) {
    clearHighlight();
    state.focus = n;
    var keep = new Set([n]), keepE = new Set();
    adj[n].forEach(function (e) { if (edgeOK[e]) { keepE.add(e); keep.add(E.from[e]); keep.add(E.to[e]); } });
    var nu = [], eu = [], i, e;
    for (i = 0; i < nN; i++) { if (nodeOK[i] && !keep.has(i)) { dimmedNodes.push(i); dimFlag[i] = 1; nu.push({id: i, opacity: 0.15, font: {color: "rgba(34,34,34,0.12)"}}); } }
    for (e = 0; e < nE; e++) { if (edgeOK[e] && !keepE.has(e)) { dimmedEdges.push(e); eu.push({id: e, color: edgeColor(e, 0.07)}); } }
    if (nu.length) { nodesDS.update(nu); }
    if (eu.length) { edgesDS.update(eu); }
  }

  /* ---------- side panel ---------- */
  var panel = $("panel");
  function showHint() {
    panel.replaceChildren(el("p", "点击节点或连线查看属性与证据句 · Click a node or an edge for its attributes and evidence.", "hint"));
  }
  function chip(text, color) { var c = el("span", text, "kind"); c.style.background = color; return c; }
  function value(v) {
    if (Array.isArray(v)) { return v.map(function (x) { return typeof x === "object" && x !== null ? JSON.stringify(x) : String(x); }).join("、"); }
    if (typeof v === "object" && v !== null) { return JSON.stringify(v); }
    return String(v);
  }
  function attrList(attrs, skip) {
    var dl = el("dl");
    Object.keys(attrs).forEach(function (k) {
      if (skip && skip.indexOf(k) >= 0) { return; }
      dl.appendChild(el("dt", k)); dl.appendChild(el("dd", value(attrs[k])));
    });
    return dl;
  }
  function marked(sentence, terms) {
    var spans = [], frag = document.createDocumentFragment();
    terms.forEach(function (t) {
      if (!t) { return; }
      var k = sentence.indexOf(t);
      while (k >= 0) { spans.push([k, k + t.length]); k = sentence.indexOf(t, k + t.length); }
    });
    spans.sort(function (a, b) { return a[0] - b[0] || b[1] - a[1]; });
    var pos = 0;
    spans.forEach(function (s) {
      if (s[0] < pos) { return; }
      frag.appendChild(document.createTextNode(sentence.slice(pos, s[0])));
      frag.appendChild(el("mark", sentence.slice(s[0], s[1])));
      pos = s[1];
    });
    frag.appendChild(document.createTextNode(sentence.slice(pos)));
    return {frag: frag, found: spans.length > 0};
  }
  function evidenceList(evs, total, fallbackTerms, source) {
    var D = details(), box = el("div");
    box.appendChild(el("h4", "证据 · Evidence (" + evs.length + (total > evs.length ? " / " + total : "") + ")"));
    if (!evs.length) { box.appendChild(el("p", "无证据句 · no evidence sentence", "hint")); }
    evs.forEach(function (ev) {
      var sentence = D.sentences[ev[1]], div = el("div", null, "ev");
      var m = marked(sentence, ev[2].length ? ev[2] : fallbackTerms);
      if (!m.found && ev[2].length) { m = marked(sentence, ev[2].concat(fallbackTerms)); }
      div.appendChild(m.frag);
      div.appendChild(el("div", "— " + D.docs[ev[0]] + source(ev[3]), "src"));
      box.appendChild(div);
    });
    if (total > evs.length) {
      box.appendChild(el("p", "另有 " + (total - evs.length) + " 条证据见 graph.json · " + (total - evs.length) + " more in graph.json", "hint"));
    }
    return box;
  }
  function nodeLink(j) {
    var b = el("button", nodeName(j), "link");
    b.type = "button";
    b.addEventListener("click", function () { focusNode(j, true); });
    return b;
  }
  function showNode(i) {
    var d = details().nodes[i], t = TYPES[N.type[i]];
    var h = el("h3"); h.appendChild(chip(t.label + " " + t.name, t.color)); h.appendChild(document.createTextNode(d.name));
    panel.replaceChildren(h);
    var attrs = {id: d.id};
    Object.keys(d.attrs).forEach(function (k) { attrs[k] = d.attrs[k]; });
    panel.appendChild(attrList(attrs));
    // relations, grouped by type and direction
    var groupsByRel = {};
    adj[i].forEach(function (e) {
      var out = E.from[e] === i, key = RELS[E.rel[e]].name + (out ? " →" : " ←");
      (groupsByRel[key] = groupsByRel[key] || []).push(e);
    });
    var keys = Object.keys(groupsByRel);
    if (keys.length) { panel.appendChild(el("h4", "关系 · Relations (" + adj[i].length + ")")); }
    keys.forEach(function (key) {
      var list = groupsByRel[key], r = RELS[E.rel[list[0]]];
      var p = el("div"); p.appendChild(chip(r.label + " " + key, r.color)); panel.appendChild(p);
      var ul = el("ul", null, "nb");
      list.slice(0, 40).forEach(function (e) {
        var j = E.from[e] === i ? E.to[e] : E.from[e], li = el("li");
        li.appendChild(nodeLink(j));
        if (E.year[e] !== null) { li.appendChild(document.createTextNode(" " + E.year[e])); }
        var eb = el("button", " · 证据", "link"); eb.type = "button";
        eb.addEventListener("click", function () { showEdge(e); });
        li.appendChild(eb);
        ul.appendChild(li);
      });
      if (list.length > 40) { ul.appendChild(el("li", "… +" + (list.length - 40))); }
      panel.appendChild(ul);
    });
    panel.appendChild(evidenceList(d.ev, d.ev_total, N.search[i], function (start) {
      return start === null || start === undefined ? "" : " · @" + start;
    }));
    panel.scrollTop = 0;
  }
  function showEdge(e) {
    var d = details().edges[e], r = RELS[E.rel[e]], f = E.from[e], t = E.to[e];
    var h = el("h3");
    h.appendChild(chip(r.label + " " + r.name, r.color));
    panel.replaceChildren(h);
    var ends = el("div");
    ends.appendChild(nodeLink(f)); ends.appendChild(document.createTextNode(" → ")); ends.appendChild(nodeLink(t));
    panel.appendChild(ends);
    panel.appendChild(attrList(d.attrs));
    var terms = N.search[f].concat(N.search[t]);
    if (E.program[e] >= 0) { terms.push(STR[E.program[e]]); }
    panel.appendChild(evidenceList(d.ev, d.ev_total, terms, function (x) {
      if (!x) { return ""; }
      var s = x[0] !== null && x[0] !== undefined ? " · " + x[0] + "–" + x[1] : "";
      return s + (x[2] ? " · " + x[2] : "");
    }));
    panel.scrollTop = 0;
  }

  /* ---------- focus and search ---------- */
  function focusNode(i, keepPins) {
    var pins = keepPins ? new Set(state.pinned) : new Set();
    pins.add(i);
    adj[i].forEach(function (e) { pins.add(E.from[e]); pins.add(E.to[e]); });
    var changed = pins.size !== state.pinned.size;
    pins.forEach(function (q) { if (!state.pinned.has(q) || !nodeOK[q]) { changed = true; } });
    state.pinned = pins;
    if (changed) { computeVisibility(); clearHighlight(); nodesView.refresh(); edgesView.refresh(); updateStats(); }
    highlight(i);
    net.selectNodes([i]);
    var around = [i];
    adj[i].forEach(function (e) { if (edgeOK[e]) { around.push(E.from[e] === i ? E.to[e] : E.from[e]); } });
    net.fit({nodes: around, maxZoomLevel: 1.2, animation: false});
    showNode(i);
  }

  var search = $("search"), results = $("results"), hits = [], active = 0;
  function hideResults() { results.hidden = true; results.replaceChildren(); hits = []; }
  function find(q) {
    q = q.trim().toLowerCase();
    if (!q) { return []; }
    var found = [];
    for (var i = 0; i < nN; i++) {
      var names = N.search[i], best = 9, via = null;
      for (var k = 0; k < names.length; k++) {
        var n = names[k].toLowerCase(), s = n === q ? 0 : n.indexOf(q) === 0 ? 2 : n.indexOf(q) > 0 ? 4 : 9;
        if (s < 9 && k > 0) { s += 1; }
        if (s < best) { best = s; via = k > 0 ? names[k] : null; }
      }
      if (best < 9) { found.push([best, -N.value[i], names[0].length, i, via]); }
    }
    found.sort(function (a, b) { return a[0] - b[0] || a[1] - b[1] || a[2] - b[2] || a[3] - b[3]; });
    return found.slice(0, 30);
  }
  function renderResults() {
    results.replaceChildren();
    hits.forEach(function (h, k) {
      var i = h[3], t = TYPES[N.type[i]], li = el("li");
      var g = el("span", GLYPH[t.shape] || "\u25CF", "glyph"); g.style.color = t.color;
      li.appendChild(g); li.appendChild(el("span", nodeName(i)));
      li.appendChild(el("span", t.label + (h[4] ? " · 别名 " + h[4] : ""), "sub"));
      if (k === active) { li.className = "active"; }
      li.addEventListener("mousedown", function (ev) { ev.preventDefault(); pick(k); });
      results.appendChild(li);
    });
    if (!hits.length) { results.appendChild(el("li", "无结果 · no match", "sub")); }
    results.hidden = false;
  }
  function pick(k) {
    if (!hits[k]) { return; }
    var i = hits[k][3];
    hideResults();
    focusNode(i, false);
  }
  var searchTimer = null;
  search.addEventListener("input", function () {
    clearTimeout(searchTimer);
    searchTimer = setTimeout(function () {
      if (!search.value.trim()) {
        hideResults();
        if (state.pinned.size) { state.pinned = new Set(); apply(false); }
        return;
      }
      hits = find(search.value); active = 0; renderResults();
    }, 120);
  });
  search.addEventListener("keydown", function (ev) {
    if (ev.key === "Enter") {
      clearTimeout(searchTimer);
      if (!hits.length) { hits = find(search.value); active = 0; }
      pick(active);
    } else if (ev.key === "ArrowDown" || ev.key === "ArrowUp") {
      if (!hits.length) { return; }
      active = (active + (ev.key === "ArrowDown" ? 1 : hits.length - 1)) % hits.length;
      renderResults(); ev.preventDefault();
    } else if (ev.key === "Escape") { hideResults(); }
  });
  search.addEventListener("blur", function () { setTimeout(hideResults, 150); });

  /* ---------- canvas events ---------- */
  net.on("click", function (p) {
    if (p.nodes.length) { highlight(p.nodes[0]); showNode(p.nodes[0]); }
    else if (p.edges.length) { clearHighlight(); showEdge(p.edges[0]); }
    else { clearHighlight(); showHint(); }
  });
  var tip = $("tip"), mouse = {x: 0, y: 0};
  container.addEventListener("mousemove", function (ev) {
    var r = container.getBoundingClientRect(); mouse.x = ev.clientX - r.left; mouse.y = ev.clientY - r.top;
  });
  net.on("hoverNode", function (p) {
    var i = p.node, t = TYPES[N.type[i]];
    tip.textContent = nodeName(i) + " · " + t.label + (N.search[i].length > 1 ? " · " + N.search[i].slice(1).join("、") : "");
    tip.style.left = (mouse.x + 14) + "px"; tip.style.top = (mouse.y + 10) + "px";
    tip.hidden = false;
  });
  net.on("blurNode", function () { tip.hidden = true; });
  net.on("dragStart", function () { tip.hidden = true; });

  window.kg = {network: net, nodes: nodesDS, edges: edgesDS, nodesView: nodesView, edgesView: edgesView,
               state: state, find: find, focusNode: focusNode, setProgram: setProgram, apply: apply,
               showNode: showNode, showEdge: showEdge, meta: META, data: {nodes: N, edges: E}};
  updateStats();
})();
