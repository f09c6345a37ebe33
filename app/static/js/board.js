/* The live board and the hall's big screen: figures and free tables refreshed every 10 s
 * from the API, without reloading. Texts come from data-t-* attributes (translated). */
(function () {
  "use strict";

  var board = document.getElementById("board");
  if (!board) return;
  var updated = document.getElementById("board-updated");
  var lastTime = null;

  function text(element, name, values) {
    var value = element.getAttribute("data-t-" + name) || "";
    Object.keys(values || {}).forEach(function (key) {
      value = value.split("{" + key + "}").join(String(values[key]));
    });
    return value;
  }

  var clock = window.jdtHour;  // the server's time, in the étape's time zone

  function cell(tag, value, scope) {
    var node = document.createElement(tag);
    node.textContent = value;
    if (scope) node.setAttribute("scope", scope);
    return node;
  }

  function render(data) {
    board.querySelectorAll("[data-field]").forEach(function (node) {
      var value = data[node.getAttribute("data-field")];
      if (value !== undefined && node.textContent !== String(value)) node.textContent = value;
    });
    var free = board.querySelector("[data-list=free_now]");
    if (free) {
      var items = data.free_now.map(function (table) {
        var item = document.createElement("li");
        var number = cell("span", text(free, "table", { table: table.table }));
        number.className = "free-table";
        var employer = cell("span", table.employer);
        employer.className = "free-employer";
        var when = cell("span", table.time);
        when.className = "free-time";
        item.append(number, " ", employer, " ", when);
        return item;
      });
      if (!items.length) {
        var none = cell("li", text(free, "none"));
        none.className = "free-none";
        items = [none];
      }
      var max = Number(free.getAttribute("data-max")) || 0;
      if (max && items.length > max) {
        var more = cell("li", text(free, "more", { count: items.length - (max - 1) }));
        more.className = "free-more";
        items = items.slice(0, max - 1).concat([more]);
      }
      free.replaceChildren.apply(free, items);
    }
    var timeline = board.querySelector("[data-list=timeline]");
    if (timeline) {
      timeline.replaceChildren.apply(timeline, data.timeline.map(function (row) {
        var line = document.createElement("tr");
        var parts = row.at.split(":");
        var label = document.documentElement.lang === "fr"
          ? Number(parts[0]) + (parts[1] === "00" ? "\u00a0h" : "\u00a0h\u00a0" + parts[1])
          : Number(parts[0]) + ":" + parts[1];
        var arrived = row.arrived === null ? "\u2014" : row.arrived;
        line.append(cell("th", label, "row"), cell("td", arrived), cell("td", row.expected));
        return line;
      }));
    }
    lastTime = clock(data.now);
    if (updated) updated.textContent = text(board, "updated", { time: lastTime });
  }

  function refresh() {
    fetch(board.getAttribute("data-url"), { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok) throw new Error("HTTP " + response.status);
        return response.json();
      })
      .then(render)
      .catch(function () {
        if (updated && lastTime) updated.textContent = text(board, "stale", { time: lastTime });
      });
  }

  setInterval(refresh, 10000);
  document.addEventListener("visibilitychange", function () { if (!document.hidden) refresh(); });
})();
