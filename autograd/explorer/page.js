// The explorer page's script: it shows the steps that Python computed (in the dg-data JSON); it computes
// no derivative itself. Every explorer on a page runs this once for its own <div>; window.dualgrad is the
// last one set up (window.dualgradExplorers[id] holds each).
(function () {
  "use strict";
  // the <div> this script sits in; where a notebook evaluates scripts without placing them (no currentScript),
  // the first explorer not set up yet
  var me = document.currentScript;
  var root = me ? me.parentNode : document.querySelector(".dg-explorer:not([data-ready])");
  if (!root || root.dataset.ready) { return; }
  var data = JSON.parse(root.querySelector("script.dg-data").textContent);
  var svg = root.querySelector(".dg-graph svg");
  var elements = {};  // element id -> SVG element, found once
  svg.querySelectorAll("[id]").forEach(function (el) { elements[el.id] = el; });
  var original = {};  // "id|field" -> the text Graphviz drew, and how wide that field may get
  var current = { mode: "reverse", wrt: data.wrt.length ? data.wrt[0][0] : null, step: 1 };

  function fieldText(id, index) {
    var el = elements[id];
    return el ? el.querySelectorAll("text")[index] : null;
  }

  function budget(text) {  // a centred field spans twice the distance to the nearer side of its box
    var box = text.parentNode.getBBox ? text.parentNode.getBBox() : null;
    var x = parseFloat(text.getAttribute("x"));
    var room = box ? 2 * Math.min(x - box.x, box.x + box.width - x) - 4 : 0;
    return room > 0 ? room : Infinity;  // not laid out (a hidden notebook cell): never squeeze
  }

  function setText(id, index, value) {
    var text = fieldText(id, index);
    if (!text || text.textContent === value) { return; }
    var key = id + "|" + index;
    if (!(key in original)) { original[key] = { text: text.textContent, room: null }; }
    var info = original[key];
    text.textContent = value;
    if (text.hasAttribute("textLength")) { text.removeAttribute("textLength"); text.removeAttribute("lengthAdjust"); }
    // only a text longer than Graphviz's may overflow its field: measure (a layout) just then
    if (value.length > info.text.length && text.getComputedTextLength) {
      if (info.room === null) { info.room = budget(text); }
      if (text.getComputedTextLength() > info.room) {
        text.setAttribute("textLength", String(info.room));  // squeeze a longer number into its field
        text.setAttribute("lengthAdjust", "spacingAndGlyphs");
      }
    }
  }

  function sweep() { return current.mode === "reverse" ? data.modes.reverse : data.modes["forward:" + current.wrt]; }

  function clearMarks() {
    svg.querySelectorAll(".dg-now, .dg-done, .dg-flow").forEach(function (el) {
      el.classList.remove("dg-now", "dg-done", "dg-flow");
    });
    svg.querySelectorAll("text.dg-amount").forEach(function (el) { el.remove(); });
  }

  function amountLabel(edge, text) {
    var path = edge.querySelector("path");
    if (!path) { return; }
    var p = path.getPointAtLength(path.getTotalLength() / 2);
    var label = document.createElementNS("http://www.w3.org/2000/svg", "text");
    label.setAttribute("class", "dg-amount");
    label.setAttribute("x", String(p.x));
    label.setAttribute("y", String(p.y - 3));
    label.setAttribute("text-anchor", "middle");
    label.textContent = text;
    edge.appendChild(label);
  }

  function texts(s, k) {  // every varying field as it stands after step k: the base, then each step's changes
    var now = {};
    s.base.forEach(function (t) { now[t[0] + "|" + t[1]] = t; });
    for (var i = 0; i < k; i++) { s.steps[i].texts.forEach(function (t) { now[t[0] + "|" + t[1]] = t; }); }
    return now;
  }

  function numbers(s, k) {
    var out = Object.assign({}, s.numbers);
    for (var i = 0; i < k; i++) { s.steps[i].numbers.forEach(function (pair) { out[pair[0]] = pair[1]; }); }
    return out;
  }

  function showTable(s) {
    var pane = root.querySelector(".dg-tables");
    if (pane.dataset.shown !== current.mode + current.wrt) {
      pane.innerHTML = s.table;
      pane.dataset.shown = current.mode + current.wrt;
    }
    return pane;
  }

  function render() {
    var s = sweep(), k = current.step, step = s.steps[k - 1];
    clearMarks();
    var now = texts(s, k);
    Object.keys(now).forEach(function (key) { setText(now[key][0], now[key][1], now[key][2]); });
    for (var i = 0; i < k - 1; i++) {
      s.steps[i].highlight.forEach(function (id) { if (elements[id]) { elements[id].classList.add("dg-done"); } });
    }
    step.highlight.forEach(function (id) { if (elements[id]) { elements[id].classList.add("dg-now"); } });
    step.flows.forEach(function (flow) {
      var edge = elements[flow[0]];
      if (edge) { edge.classList.add("dg-flow"); amountLabel(edge, flow[1]); }
    });
    var pane = showTable(s), lit = {}, done = {};
    step.rows.forEach(function (name) { lit[name] = true; });
    for (i = 0; i < k - 1; i++) { s.steps[i].rows.forEach(function (name) { done[name] = true; }); }
    var first = null;
    pane.querySelectorAll("tr[data-row]").forEach(function (tr) {
      var name = tr.getAttribute("data-row");
      tr.classList.toggle("dg-row-now", !!lit[name]);
      tr.classList.toggle("dg-row-done", !lit[name] && !!done[name]);
      if (lit[name] && !first) { first = tr; }
    });
    if (first) {  // scroll the table pane only, never the page
      var top = first.offsetTop, bottom = top + first.offsetHeight;
      if (top < pane.scrollTop + 20 || bottom > pane.scrollTop + pane.clientHeight) { pane.scrollTop = top - 40; }
    }
    root.querySelector(".dg-note").textContent = step.note;
    root.querySelector(".dg-counter").textContent = "step " + k + " of " + s.steps.length;
    var slider = root.querySelector(".dg-slider");
    slider.max = String(s.steps.length);
    slider.value = String(k);
    root.querySelectorAll("[data-mode]").forEach(function (b) {
      b.setAttribute("aria-pressed", String(b.getAttribute("data-mode") === current.mode));
    });
    root.querySelector(".dg-wrt").style.visibility = current.mode === "forward" ? "visible" : "hidden";
  }

  function go(k) {
    var total = sweep().steps.length;
    if (typeof k !== "number" || Math.floor(k) !== k || k < 1 || k > total) {
      throw new RangeError("dualgrad.step(k): k must be a whole number from 1 to " + total + ", got " + k);
    }
    current.step = k;
    render();
  }

  var api = {
    id: data.id,
    level: data.level,
    step: function (k) { go(k); return api.state(); },
    mode: function (name) {
      if (name !== "reverse" && name !== "forward") {
        throw new RangeError("dualgrad.mode(name): name must be \"reverse\" or \"forward\", got " + name);
      }
      if (name === "forward" && !current.wrt) { throw new RangeError("dualgrad.mode: this page has no forward sweep"); }
      current.mode = name;
      current.step = 1;
      render();
      return api.state();
    },
    wrt: function (name) {
      var found = data.wrt.filter(function (w) { return w[0] === name || w[1] === name; });
      if (!found.length) {
        throw new RangeError("dualgrad.wrt(name): choose one of " + data.wrt.map(function (w) { return w[1]; }).join(", "));
      }
      current.wrt = found[0][0];
      root.querySelector(".dg-wrt select").value = current.wrt;
      if (current.mode === "forward") { current.step = 1; render(); }
      return api.state();
    },
    state: function () {
      var s = sweep(), k = current.step, step = s.steps[k - 1], values = numbers(s, k);
      return {
        mode: current.mode, step: k, steps: s.steps.length, highlighted: step.names.slice(),
        grads: current.mode === "reverse" ? values : {}, tangents: current.mode === "forward" ? values : {},
        wrt: current.mode === "forward" ? current.wrt : null, trace_step: step.trace_step, level: data.level
      };
    }
  };

  root.querySelectorAll("[data-go]").forEach(function (button) {
    button.addEventListener("click", function () {
      var total = sweep().steps.length, to = button.getAttribute("data-go");
      go(to === "first" ? 1 : to === "last" ? total : to === "prev" ? Math.max(1, current.step - 1)
        : Math.min(total, current.step + 1));
    });
  });
  root.querySelector(".dg-slider").addEventListener("input", function (event) { go(Number(event.target.value)); });
  root.querySelectorAll("[data-mode]").forEach(function (b) {
    b.addEventListener("click", function () { api.mode(b.getAttribute("data-mode")); });
  });
  root.querySelector(".dg-wrt select").addEventListener("change", function (event) { api.wrt(event.target.value); });
  function onKey(event) {
    var tag = event.target && event.target.tagName;
    if (tag === "SELECT" || tag === "INPUT") { return; }  // a focused slider moves itself
    var total = sweep().steps.length, moves = {
      ArrowRight: current.step + 1, ArrowDown: current.step + 1, ArrowLeft: current.step - 1,
      ArrowUp: current.step - 1, Home: 1, End: total
    };
    if (!(event.key in moves)) { return; }
    event.preventDefault();
    go(Math.min(total, Math.max(1, moves[event.key])));
  }
  // a page of its own takes the arrow keys everywhere; inside a notebook only while the explorer has focus
  (root.hasAttribute("data-standalone") ? document : root).addEventListener("keydown", onKey);
  root.addEventListener("click", function () { if (!root.hasAttribute("data-standalone")) { root.focus(); } });

  render();
  root.dataset.ready = "true";
  api.ready = true;
  api.readyAt = window.performance ? window.performance.now() : null;
  window.dualgrad = api;
  window.dualgradExplorers = window.dualgradExplorers || {};
  window.dualgradExplorers[data.id] = api;
}());
