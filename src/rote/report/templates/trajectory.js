"use strict";
(function () {
  const data = JSON.parse(document.getElementById("rote-data").textContent);
  const SVG = "http://www.w3.org/2000/svg";
  const CELL = 32;
  const COLOURS = ["#5470c6", "#ee6666", "#91cc75", "#fac858", "#73c0de", "#3ba272", "#fc8452", "#9a60b4"];
  const EVENT_COLOURS = { inferred: "#1d1d1f", resampled: "#5470c6", rejuvenated: "#3ba272", failed: "#c62828", swap: "#fc8452" };
  const steps = data.steps;
  const last = steps.length - 1;
  const observe = data.settings.observe;
  const programs = data.programs;
  const predictions = new Map(data.predictions.map((p) => [p.t, p]));
  const $ = (id) => document.getElementById(id);
  let t = 0;
  let selected = 0;
  let timer = null;

  function svg(tag, attrs, text) {
    const node = document.createElementNS(SVG, tag);
    for (const [key, value] of Object.entries(attrs)) node.setAttribute(key, value);
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function html(tag, attrs, text) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs)) node.setAttribute(key, value);
    if (text !== undefined) node.textContent = text;
    return node;
  }

  // One item of a grid scene (envs/scene.py): a rect, circle, triangle or text, in cells.
  function drawItem(parent, item) {
    const size = item.size !== undefined ? item.size : item.shape === "rect" ? 1 : 0.7;
    const cx = (item.x + 0.5) * CELL;
    const cy = (item.y + 0.5) * CELL;
    const r = (size * CELL) / 2;
    if (item.shape === "rect") {
      parent.appendChild(svg("rect", { x: cx - r, y: cy - r, width: 2 * r, height: 2 * r, fill: item.fill }));
    } else if (item.shape === "circle") {
      parent.appendChild(svg("circle", { cx: cx, cy: cy, r: r, fill: item.fill }));
    } else if (item.shape === "triangle") {
      const points = `${cx + r},${cy} ${cx - r},${cy - r} ${cx - r},${cy + r}`;
      const turn = 90 * (item.dir || 0); // 0 right, 1 down, 2 left, 3 up: y grows downwards
      parent.appendChild(svg("polygon", { points: points, fill: item.fill, transform: `rotate(${turn} ${cx} ${cy})` }));
    }
    if (item.label) {
      const fill = item.shape === "text" ? item.fill : "#111";
      parent.appendChild(svg("text", { x: cx, y: cy, fill: fill, class: "label", "text-anchor": "middle", "dominant-baseline": "central", "font-size": CELL * 0.42 }, item.label));
    }
  }

  function drawGrid(scene) {
    const width = scene.width * CELL;
    const height = scene.height * CELL;
    const root = svg("svg", { viewBox: `0 0 ${width} ${height}`, role: "img", "aria-label": scene.caption });
    const pattern = svg("pattern", { id: "cells", width: CELL, height: CELL, patternUnits: "userSpaceOnUse" });
    pattern.appendChild(svg("path", { d: `M ${CELL} 0 L 0 0 0 ${CELL}`, fill: "none", stroke: "#d8d8dc" }));
    const defs = svg("defs", {});
    defs.appendChild(pattern);
    root.appendChild(defs);
    root.appendChild(svg("rect", { width: width, height: height, fill: "#fafafa" }));
    root.appendChild(svg("rect", { width: width, height: height, fill: "url(#cells)" }));
    for (const layer of [data.bases[scene.base], scene.items]) {
      const group = svg("g", {});
      layer.forEach((item) => drawItem(group, item));
      root.appendChild(group);
    }
    return root;
  }

  function drawTable(scene) {
    const table = html("table", {});
    const head = table.appendChild(html("tr", {}));
    scene.columns.forEach((name) => head.appendChild(html("th", {}, name)));
    scene.rows.forEach((row) => {
      const line = table.appendChild(html("tr", {}));
      row.forEach((cell) => line.appendChild(html("td", typeof cell === "number" ? { class: "num" } : {}, String(cell))));
    });
    return table;
  }

  function drawScene(scene) {
    if (scene.kind === "grid") return drawGrid(scene);
    if (scene.kind === "table") return drawTable(scene);
    return html("pre", {}, scene.text);
  }

  function percent(p) {
    return `${(100 * p).toFixed(p < 0.1 ? 1 : 0)}%`;
  }

  function showPrediction() {
    const prediction = predictions.get(t);
    const status = $("status");
    const bars = $("bars");
    bars.replaceChildren();
    const action = steps[t].action;
    if (t < observe) {
      status.textContent = `step ${t} was observed: the agent took ${action === null ? "(not given)" : action}`;
      return;
    }
    if (prediction === undefined) {
      status.textContent = `step ${t} was not predicted (past the horizon)`;
      return;
    }
    const outcome = prediction.hit === null ? "" : prediction.hit > 0 ? "hit" : "miss";
    status.replaceChildren(
      document.createTextNode(`actual: ${prediction.actual === null ? "(not given)" : prediction.actual} `),
      html("span", { class: outcome }, outcome === "" ? "" : `${outcome} (${prediction.hit.toFixed(2)})`)
    );
    data.env.actions.forEach((name) => {
      const p = prediction.dist[name] || 0;
      const row = html("div", { class: name === prediction.actual ? "bar actual" : "bar", "data-action": name });
      row.appendChild(html("span", { class: "name" }, name));
      const track = row.appendChild(html("div", { class: "track" }));
      track.appendChild(html("div", { class: "fill", style: `width:${(100 * p).toFixed(2)}%` }));
      row.appendChild(html("span", { class: "num" }, percent(p)));
      bars.appendChild(row);
    });
  }

  // A program named the actual action at step t iff it saw t and t is not among its misses.
  function agrees(program) {
    if (t >= program.steps_seen) return null;
    return !program.missed.includes(t);
  }

  function showPrograms() {
    const list = $("programs");
    list.replaceChildren();
    const named = [];
    programs.forEach((program, i) => {
      const verdict = agrees(program);
      if (verdict) named.push(`#${program.rank}`);
      const mark = verdict === null ? "–" : verdict ? "✓" : "✗";
      const button = html("button", { "aria-pressed": String(i === selected), "data-rank": program.rank });
      button.appendChild(html("span", { class: "swatch", style: `background:${COLOURS[i % COLOURS.length]}` }));
      button.appendChild(document.createTextNode(`#${program.rank} weight ${program.weight.toFixed(3)} ${mark} `));
      button.appendChild(html("span", { class: "muted" }, program.description || "(no description)"));
      button.addEventListener("click", () => {
        selected = i;
        showPrograms();
      });
      list.appendChild(html("li", {})).appendChild(button);
    });
    $("agreement").textContent = named.length
      ? `named the action taken at step ${t}: ${named.join(", ")}`
      : `no program shown named the action taken at step ${t}`;
    const program = programs[selected];
    const detail = $("program-detail");
    if (program === undefined) {
      detail.textContent = "no program was held";
      $("source").textContent = "";
      return;
    }
    detail.textContent = `#${program.rank}: weight ${program.weight.toFixed(3)}, from ${program.origin}, fits ${program.observed_fit} of ${observe} observed steps${program.tempo ? `; ${program.tempo}` : ""}`;
    $("source").textContent = program.source;
  }

  function drawBelief() {
    const width = 800;
    const height = 150;
    const top = 14;
    const span = Math.max(1, steps.length);
    const x = (step) => (step / span) * width;
    const y = (mass) => top + (1 - mass) * (height - top);
    const root = svg("svg", { viewBox: `0 0 ${width} ${height}`, role: "img", "aria-label": "belief over steps" });
    root.appendChild(svg("rect", { x: 0, y: top, width: width, height: height - top, fill: "#f0f0f3" }));
    const columns = data.belief.length ? data.belief[0].length : 0;
    const below = data.belief.map(() => 0);
    for (let k = 0; k < columns; k++) {
      const upper = [];
      const lower = [];
      data.belief.forEach((row, s) => {
        lower.push(`${x(s)},${y(below[s])} ${x(s + 1)},${y(below[s])}`);
        below[s] += row[k];
        upper.push(`${x(s)},${y(below[s])} ${x(s + 1)},${y(below[s])}`);
      });
      const points = upper.join(" ") + " " + lower.reverse().map((pair) => pair.split(" ").reverse().join(" ")).join(" ");
      root.appendChild(svg("polygon", { points: points, fill: COLOURS[k % COLOURS.length], "fill-opacity": 0.85 }));
    }
    root.appendChild(svg("line", { x1: x(observe), x2: x(observe), y1: top, y2: height, stroke: "#1d1d1f", "stroke-dasharray": "4 3" }));
    root.appendChild(svg("text", { x: x(observe) + 3, y: top + 11, "font-size": 11 }, "predicted →"));
    data.events.forEach((event) => {
      const marker = svg("g", { class: "event" });
      marker.appendChild(svg("title", {}, `step ${event.t}: ${event.kind}: ${event.detail}`));
      marker.appendChild(svg("polygon", { points: `${x(event.t) - 4},0 ${x(event.t) + 4},0 ${x(event.t)},9`, fill: EVENT_COLOURS[event.kind] || "#666" }));
      root.appendChild(marker);
    });
    const cursor = svg("rect", { id: "cursor", y: top, width: Math.max(1.5, width / span), height: height - top, fill: "#1d1d1f", "fill-opacity": 0.35 });
    root.appendChild(cursor);
    root.addEventListener("click", (event) => {
      const box = root.getBoundingClientRect();
      go(Math.floor(((event.clientX - box.left) / box.width) * span));
    });
    $("belief").appendChild(root);
    programs.slice(0, columns).forEach((program, k) => {
      const item = html("span", {});
      item.appendChild(html("span", { class: "swatch", style: `background:${COLOURS[k % COLOURS.length]}` }));
      item.appendChild(document.createTextNode(`#${program.rank}`));
      $("legend").appendChild(item);
    });
    const rest = html("span", { class: "muted" }, `grey: the other programs held; dashed: the end of the ${observe} observed steps`);
    $("legend").appendChild(rest);
    data.events.forEach((event) => {
      const line = html("li", {});
      line.appendChild(html("span", { class: "swatch", style: `background:${EVENT_COLOURS[event.kind] || "#666"}` }));
      line.appendChild(document.createTextNode(`step ${event.t}: ${event.kind}: ${event.detail}`));
      $("events").appendChild(line);
    });
    return (step) => cursor.setAttribute("x", x(step));
  }

  const moveCursor = drawBelief();

  function show() {
    const step = steps[t];
    $("board").replaceChildren(drawScene(step.scene));
    $("caption").textContent = step.scene.caption;
    $("counter").textContent = `step ${t} / ${last}`;
    $("slider").value = String(t);
    showPrediction();
    showPrograms();
    moveCursor(t);
    if (location.hash !== `#t=${t}`) location.replace(`#t=${t}`);
  }

  function go(step) {
    const next = Math.max(0, Math.min(last, step));
    if (Number.isNaN(next)) return;
    t = next;
    show();
  }

  function play() {
    if (timer !== null) {
      clearInterval(timer);
      timer = null;
    } else {
      if (t === last) go(0);
      timer = setInterval(() => (t >= last ? play() : go(t + 1)), 300);
    }
    $("play").textContent = timer === null ? "play" : "pause";
  }

  function fromHash() {
    const found = /^#t=(\d+)$/.exec(location.hash);
    return found ? Number(found[1]) : 0;
  }

  $("title").textContent = `${data.title}: what ROTE predicted`;
  const after = data.after_swap;
  $("summary").textContent =
    `${data.env.id}, observed steps 0-${observe - 1}, ${data.settings.mode}, ${data.settings.proposer} proposer, ` +
    `${data.settings.particles} particles; accuracy ${data.accuracy === null ? "n/a" : data.accuracy.toFixed(3)} over ${data.scored_steps} predicted steps` +
    (after ? `; ${after.accuracy === null ? "n/a" : after.accuracy.toFixed(3)} on the ${after.scored_steps} from the layout swap` : "");
  $("slider").max = String(last);
  $("slider").addEventListener("input", () => go(Number($("slider").value)));
  $("first").addEventListener("click", () => go(0));
  $("prev").addEventListener("click", () => go(t - 1));
  $("next").addEventListener("click", () => go(t + 1));
  $("last").addEventListener("click", () => go(last));
  $("play").addEventListener("click", play);
  window.addEventListener("hashchange", () => {
    if (fromHash() !== t) go(fromHash());
  });
  document.addEventListener("keydown", (event) => {
    const onSlider = event.target === $("slider");
    const moves = { ArrowLeft: () => go(t - 1), ArrowRight: () => go(t + 1), Home: () => go(0), End: () => go(last) };
    if (moves[event.key] && !onSlider) {
      event.preventDefault();
      moves[event.key]();
    } else if (event.key === " ") {
      event.preventDefault();
      if (!event.repeat) play();
    }
  });
  go(fromHash());
})();
