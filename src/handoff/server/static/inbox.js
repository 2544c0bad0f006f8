// handoff inbox: SLA countdowns, a live diff of revised args, keyboard shortcuts.
// Loaded from /static under a CSP that forbids inline script; it only reads the page.
"use strict";

(function () {
  function span(seconds) {
    var s = Math.floor(Math.abs(seconds));
    var d = Math.floor(s / 86400), h = Math.floor((s % 86400) / 3600), m = Math.floor((s % 3600) / 60);
    if (d) return d + "d " + h + "h";
    if (h) return h + "h " + (m < 10 ? "0" : "") + m + "m";
    return m + "m";
  }

  // Countdowns run on the server's clock: the page says what "now" was when rendered.
  function countdowns() {
    var holder = document.querySelector("[data-now]");
    if (!holder) return;
    var serverNow = Date.parse(holder.getAttribute("data-now"));
    var loaded = Date.now();
    function tick() {
      var now = serverNow + (Date.now() - loaded);
      document.querySelectorAll("time.countdown[data-deadline]").forEach(function (el) {
        var left = (Date.parse(el.getAttribute("data-deadline")) - now) / 1000;
        el.textContent = left >= 0 ? "in " + span(left) : "overdue " + span(left);
        el.classList.toggle("overdue", left < 0);
      });
    }
    tick();
    setInterval(tick, 30000);
  }

  // Invisible and bidi characters shown as marks, as the server does.
  function visible(text) {
    return text.replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u00a0\u00ad\u061c\u115f\u1160\u180e\u200b-\u200f\u202a-\u202e\u2060-\u206f\u2800\u3164\ufeff\uffa0\ufff9-\ufffb]/g,
      function (ch) { return "<U+" + ch.charCodeAt(0).toString(16).toUpperCase().padStart(4, "0") + ">"; });
  }

  // A line diff (longest common subsequence) of the original and edited args.
  function diffLines(a, b) {
    var n = a.length, m = b.length, i, j;
    var lcs = [];
    for (i = 0; i <= n; i++) { lcs.push(new Array(m + 1).fill(0)); }
    for (i = n - 1; i >= 0; i--) for (j = m - 1; j >= 0; j--)
      lcs[i][j] = a[i] === b[j] ? lcs[i + 1][j + 1] + 1 : Math.max(lcs[i + 1][j], lcs[i][j + 1]);
    var out = [];
    i = 0; j = 0;
    while (i < n && j < m) {
      if (a[i] === b[j]) { out.push([" ", a[i]]); i++; j++; }
      else if (lcs[i + 1][j] >= lcs[i][j + 1]) { out.push(["-", a[i]]); i++; }
      else { out.push(["+", b[j]]); j++; }
    }
    while (i < n) out.push(["-", a[i++]]);
    while (j < m) out.push(["+", b[j++]]);
    return out;
  }

  // JSON with object keys sorted at every level, as the server prints it.
  function canonical(value) {
    if (Array.isArray(value)) return value.map(canonical);
    if (value && typeof value === "object") {
      var out = {};
      Object.keys(value).sort().forEach(function (k) { out[k] = canonical(value[k]); });
      return out;
    }
    return value;
  }

  function argsDiff() {
    var editor = document.getElementById("args");
    var box = document.getElementById("args-diff");
    if (!editor || !box) return;
    var original = editor.getAttribute("data-original") || "";
    function render() {
      box.textContent = "";
      var edited = editor.value;
      try { edited = JSON.stringify(canonical(JSON.parse(edited)), null, 2); }
      catch (e) {
        var bad = document.createElement("div");
        bad.className = "del";
        bad.textContent = "not valid JSON yet: " + e.message;
        box.appendChild(bad);
        return;
      }
      var before;
      try { before = JSON.stringify(canonical(JSON.parse(original)), null, 2); }
      catch (e) { before = original; }
      if (edited === before) { box.textContent = "no changes yet"; return; }
      diffLines(before.split("\n"), edited.split("\n")).forEach(function (row) {
        if (row[0] === " ") return;
        var line = document.createElement("div");
        line.className = row[0] === "+" ? "add" : "del";
        line.textContent = row[0] + " " + visible(row[1]);
        box.appendChild(line);
      });
    }
    editor.addEventListener("input", render);
    render();
  }

  // Shortcuts outside text fields (listed on the handoff page): "/" filters, "r" writes
  // the rationale, "a" approves, "x" rejects, "n" opens the next handoff, "g" the queue.
  // Typing in a field never triggers one: the letters belong to the text.
  function shortcuts() {
    document.addEventListener("keydown", function (ev) {
      var t = ev.target;
      var tag = (t && t.tagName) || "";
      if (ev.ctrlKey || ev.metaKey || ev.altKey || ev.repeat) return;
      if (/INPUT|TEXTAREA|SELECT|BUTTON/.test(tag) || (t && t.isContentEditable)) return;
      var el = null;
      if (ev.key === "/") el = document.getElementById("level");
      else if (ev.key === "r") el = document.getElementById("rationale");
      else if (ev.key === "g") { window.location.href = "/"; return; }
      else if (ev.key === "a" || ev.key === "x") {
        var button = document.getElementById(ev.key === "a" ? "approve" : "reject");
        if (button) { ev.preventDefault(); button.click(); }
        return;
      } else if (ev.key === "n") {
        var next = document.getElementById("next");
        if (next) { ev.preventDefault(); window.location.href = next.href; }
        return;
      }
      if (el) { ev.preventDefault(); el.focus(); }
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    countdowns();
    argsDiff();
    shortcuts();
  });
})();
