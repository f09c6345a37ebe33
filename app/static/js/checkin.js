/* The check-in tablet, on top of the server-rendered page (which works without it):
 * - codes from the scanner field or the camera go through the JSON API, and the answer
 *   fills the screen without reloading;
 * - when the network is down, scans are kept in IndexedDB with their time and nonce, the
 *   page says "hors connexion — 3 en attente", and they are sent when it is back (the
 *   server answers a replayed nonce once, and a late duplicate as a duplicate);
 * - a service worker keeps the page itself available offline.
 * Texts come from the page (data-t-* attributes), already translated. */
(function () {
  "use strict";

  var desk = document.getElementById("desk");
  if (!desk) return;
  var text = function (name, values) {
    var value = desk.getAttribute("data-t-" + name) || "";
    Object.keys(values || {}).forEach(function (key) {
      value = value.split("{" + key + "}").join(String(values[key]));
    });
    return value;
  };
  var api = desk.getAttribute("data-api");
  var statusUrl = desk.getAttribute("data-status");
  var form = document.getElementById("code-form");
  var input = form.querySelector("input[name=code]");
  var area = document.getElementById("result-area");
  var connection = document.getElementById("desk-connection");
  var arrived = document.getElementById("desk-arrived");
  var checkedPanel = document.getElementById("offline-checked");
  var recent = document.getElementById("recent");
  var codePattern = new RegExp(desk.getAttribute("data-code-pattern"));
  var codeSeparators = new RegExp(desk.getAttribute("data-code-separators"), "g");
  var hour = window.jdtHour;

  /* The stored form of a code, or null: what `normalise_ticket_code` does on the server. */
  function normalised(code) {
    if (code.length > 40) return null;
    code = code.replace(codeSeparators, "");
    if (!/^[\x00-\x7f]*$/.test(code)) return null;
    code = code.toUpperCase();
    return codePattern.test(code) ? code : null;
  }

  /* The scan field gets the focus back, without moving the page (the answer stays in
   * view), unless someone is using another field meanwhile. */
  function backToField() {
    var active = document.activeElement;
    if (active && active !== document.body && active !== input && !area.contains(active)) return;
    input.focus({ preventScroll: true });
  }

  function newNonce() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    var bytes = new Uint8Array(16);
    crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) {
      return ("0" + b.toString(16)).slice(-2);
    }).join("");
  }

  /* --- The answer on screen ------------------------------------------------------------ */

  function element(tag, className, content) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (content !== undefined) node.textContent = content;
    return node;
  }

  function show(kind, title, lead, interviews, checkInId, registrationId) {
    var section = element("section", "result result-" + kind);
    section.setAttribute("role", "alert");
    section.id = "result";
    section.appendChild(element("h2", null, title));
    if (interviews && interviews.length) {
      section.appendChild(element("p", "result-lead", text("interviews")));
      var list = element("ul", "result-interviews");
      interviews.forEach(function (interview) {
        var item = element("li");
        item.appendChild(element("strong", null, interview.time));
        item.appendChild(document.createTextNode(
          " — " + text("table", { table: interview.table }) + " — " + interview.employer));
        list.appendChild(item);
      });
      section.appendChild(list);
    } else if (lead) {
      [].concat(lead).forEach(function (line) { section.appendChild(element("p", "result-lead", line)); });
    }
    if (registrationId) {
      var free = element("a", "button button-secondary", text("free"));
      free.href = desk.getAttribute("data-people") + registrationId + "/employeurs";
      var paragraph = element("p");
      paragraph.appendChild(free);
      section.appendChild(paragraph);
    }
    if (checkInId) {
      var undo = element("button", "button button-secondary", text("undo"));
      undo.type = "button";
      undo.addEventListener("click", function () { undoCheckIn(checkInId, undo); });
      var row = element("div", "result-undo");
      row.appendChild(undo);
      section.appendChild(row);
    }
    area.replaceChildren(section);
    section.scrollIntoView({ block: "start" });
    backToField();
  }

  function refusal(body, code) {
    var who = body.person ? body.person.first_name + " " + body.person.last_name + " : " : "";
    var refused = text("refused");
    return {
      title: who ? who + refused : refused.charAt(0).toUpperCase() + refused.slice(1),
      lead: [body.error.message, text("read", { code: code })],
    };
  }

  function showAnswer(status, body, code) {
    if (body && body.error) {
      var refused = refusal(body, code);
      show("error", refused.title, refused.lead);
      return;
    }
    if (!body || !body.result) {
      show("error", text("refused"), text("unexpected"));
      return;
    }
    var now = body.result === "checked_in";
    show(now ? "ok" : "warn", body.message, now ? text("no-interview") : null,
      body.interviews, now && !body.replayed && body.check_in ? body.check_in.id : null,
      body.person.registration_id);
    refreshFigures();
  }

  function showRecent(people) {
    if (!recent) return;
    var list = recent.querySelector("ul");
    list.replaceChildren.apply(list, people.map(function (arrival) {
      var item = element("li");
      item.appendChild(element("strong", null, hour(arrival.checked_in_at)));
      item.appendChild(document.createTextNode(" " + arrival.person.first_name + " " + arrival.person.last_name));
      if (arrival.device) {
        item.appendChild(document.createTextNode(" "));
        item.appendChild(element("span", "muted", "(" + arrival.device + ")"));
      }
      return item;
    }));
    recent.hidden = !people.length;
  }

  function refreshFigures() {
    fetch(statusUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (body) {
        if (!body) return;
        if (arrived) arrived.textContent = body.arrived;
        showRecent(body.recent || []);
      })
      .catch(function () {});
  }

  function undoCheckIn(id, button) {
    button.disabled = true;
    fetch(api + "/" + id, { method: "DELETE", credentials: "same-origin" })
      .then(function (response) { return response.json(); })
      .then(function (body) {
        if (body.error) show("error", text("refused"), body.error.message);
        else show("warn", text("undone", { name: body.person.first_name + " " + body.person.last_name }));
        refreshFigures();
      })
      .catch(function () { button.disabled = false; });
  }

  /* --- The offline queue (IndexedDB) ------------------------------------------------------ */

  var database = null;
  function openQueue() {
    if (database) return database;
    database = new Promise(function (resolve, reject) {
      var request = indexedDB.open("jdt-accueil", 1);
      request.onupgradeneeded = function () {
        request.result.createObjectStore("scans", { keyPath: "nonce" });
      };
      request.onsuccess = function () { resolve(request.result); };
      request.onerror = function () { reject(request.error); };
    });
    return database;
  }

  function store(mode, work) {
    return openQueue().then(function (db) {
      return new Promise(function (resolve, reject) {
        var transaction = db.transaction("scans", mode);
        var result = work(transaction.objectStore("scans"));
        transaction.oncomplete = function () { resolve(result && result.result); };
        transaction.onerror = function () { reject(transaction.error); };
      });
    });
  }

  function queued() {
    return store("readonly", function (scans) { return scans.getAll(); }).then(function (all) {
      return (all || []).filter(function (scan) { return scan.api === api; })
        .sort(function (a, b) { return a.scanned_at < b.scanned_at ? -1 : 1; });
    });
  }

  function showConnection() {
    return queued().then(function (waiting) {
      var offline = !navigator.onLine;
      if (!offline && !waiting.length) {
        connection.hidden = true;
        return waiting;
      }
      connection.hidden = false;
      connection.classList.toggle("online", !offline);
      connection.textContent = offline
        ? text("offline", { count: waiting.length })
        : text("sending", { count: waiting.length });
      return waiting;
    }).catch(function () {});
  }

  /* What the server said of scans made offline, when it was not "welcome": a code it does
   * not know, someone already in... The volunteer let these people in on trust: the list
   * stays on screen until they say they saw it. */
  function showChecked(answers) {
    if (!answers.length) return;
    var items = Array.prototype.slice.call(checkedPanel.querySelectorAll("li")).map(function (item) {
      return item.textContent;
    });
    answers.forEach(function (answer) {
      var refused = answer.body.error ? refusal(answer.body, answer.code) : null;
      items.push(refused ? refused.title + " — " + refused.lead.join(" ") : answer.body.message);
    });
    var section = element("section", "result result-warn offline-checked");
    section.setAttribute("role", "alert");
    section.appendChild(element("h2", null, text("checked", { count: items.length })));
    section.appendChild(element("p", "result-lead", text("checked-lead")));
    var list = element("ul", "result-interviews");
    items.forEach(function (line) { list.appendChild(element("li", null, line)); });
    section.appendChild(list);
    var seen = element("button", "button button-secondary", text("seen"));
    seen.type = "button";
    seen.addEventListener("click", function () {
      checkedPanel.hidden = true;
      checkedPanel.replaceChildren();
      input.focus({ preventScroll: true });
    });
    section.appendChild(seen);
    checkedPanel.replaceChildren(section);
    checkedPanel.hidden = false;
  }

  var flushing = false;
  function flush() {
    if (!navigator.onLine) return showConnection();
    if (flushing) return Promise.resolve();
    flushing = true;
    var toCheck = [];
    return queued().then(function (waiting) {
      return waiting.reduce(function (previous, scan) {
        return previous.then(function () {
          return post(scan, true).then(function (answer) {
            if (answer.body && (answer.body.error || answer.body.result !== "checked_in")) {
              toCheck.push({ body: answer.body, code: scan.code });
            }
            return store("readwrite", function (scans) { scans.delete(scan.nonce); });
          });
        });
      }, Promise.resolve());
    }).catch(function () {}).then(function () {
      flushing = false;
      showChecked(toCheck);
      refreshFigures();
      return showConnection();
    });
  }

  /* --- Sending a scan ----------------------------------------------------------------------- */

  function post(scan, offline) {
    var body = { code: scan.code, nonce: scan.nonce, method: scan.method, scanned_at: scan.scanned_at };
    if (offline) body.offline = true;
    return fetch(api, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", Accept: "application/json" },
      body: JSON.stringify(body),
    }).then(function (response) {
      if (response.status >= 500) throw new Error("server " + response.status);
      return response.json().then(function (json) { return { status: response.status, body: json }; });
    });
  }

  /* Offline, a scan is kept when it is a ticket code: what is no code is refused at once
   * (as the server would), and a code already kept is said so (orange). */
  function keepForLater(scan) {
    var stored = normalised(scan.code);
    if (stored === null) {
      var refused = refusal({ error: { message: text("invalid-code") } }, scan.code);
      show("error", refused.title, refused.lead);
      return Promise.resolve();
    }
    return queued().then(function (waiting) {
      var twice = waiting.filter(function (earlier) { return normalised(earlier.code) === stored; })[0];
      if (twice) {
        show("warn", text("kept-twice", { time: hour(twice.scanned_at) }), text("kept-lead"));
        return showConnection();
      }
      return store("readwrite", function (scans) { scans.put(scan); }).then(function () {
        show("warn", text("kept"), text("kept-lead"));
        return showConnection();
      });
    });
  }

  function submitCode(code, method) {
    code = (code || "").trim();
    if (!code) return;  // Enter in an empty field: nothing was read
    var scan = { api: api, code: code, nonce: newNonce(), method: method, scanned_at: new Date().toISOString() };
    if (!navigator.onLine) {
      keepForLater(scan);
      return;
    }
    post(scan, false)
      .then(function (answer) { showAnswer(answer.status, answer.body, code); })
      .catch(function () { keepForLater(scan); });
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    submitCode(input.value, "scanner");
    input.value = "";
    input.focus({ preventScroll: true });
  });

  window.addEventListener("online", flush);
  window.addEventListener("offline", showConnection);
  setInterval(flush, 15000);
  flush();

  // An answer rendered by the server (a person let in from the search, a walk-in): in view,
  // and the scan field ready for the next ticket.
  // Its address becomes the arrivals page's: reloading it sends nothing again.
  var rendered = document.getElementById("result");
  if (rendered) rendered.scrollIntoView({ block: "start" });
  var deskPath = desk.getAttribute("data-sw-scope");
  if (location.pathname !== deskPath && window.history.replaceState) {
    window.history.replaceState(null, "", deskPath);
  }
  backToField();

  /* --- The camera ---------------------------------------------------------------------------- */

  var camera = document.getElementById("camera");
  var startButton = document.getElementById("camera-start");
  var video = document.getElementById("camera-video");
  var canDecode = "BarcodeDetector" in window || typeof window.jsQR === "function";
  if (camera && navigator.mediaDevices && navigator.mediaDevices.getUserMedia && canDecode) {
    camera.hidden = false;
    var stream = null;
    var detector = null;
    var canvas = document.createElement("canvas");
    var last = { code: null, at: 0 };

    var decode = function () {
      if (detector) {
        return detector.detect(video).then(function (codes) {
          return codes.length ? codes[0].rawValue : null;
        }).catch(function () { return null; });
      }
      var width = video.videoWidth, height = video.videoHeight;
      if (!width || !height) return Promise.resolve(null);
      var scale = Math.min(1, 640 / width);
      canvas.width = Math.round(width * scale);
      canvas.height = Math.round(height * scale);
      var context = canvas.getContext("2d", { willReadFrequently: true });
      context.drawImage(video, 0, 0, canvas.width, canvas.height);
      var image = context.getImageData(0, 0, canvas.width, canvas.height);
      var found = window.jsQR(image.data, image.width, image.height, { inversionAttempts: "dontInvert" });
      return Promise.resolve(found ? found.data : null);
    };

    var tick = function () {
      if (!stream) return;
      decode().then(function (code) {
        var now = Date.now();
        // The same ticket held in front of the camera is read once every 4 seconds.
        if (code && (code !== last.code || now - last.at > 4000)) {
          last = { code: code, at: now };
          submitCode(code, "camera");
        }
        setTimeout(tick, 200);
      });
    };

    var stop = function () {
      if (stream) stream.getTracks().forEach(function (track) { track.stop(); });
      stream = null;
      video.hidden = true;
      startButton.textContent = text("camera-start");
      startButton.setAttribute("aria-pressed", "false");
    };

    var start = function () {
      if ("BarcodeDetector" in window && !detector) {
        try { detector = new window.BarcodeDetector({ formats: ["qr_code"] }); } catch (e) { detector = null; }
      }
      navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" }, audio: false })
        .then(function (media) {
          stream = media;
          video.srcObject = media;
          video.hidden = false;
          return video.play();
        })
        .then(function () {
          startButton.textContent = text("camera-stop");
          startButton.setAttribute("aria-pressed", "true");
          tick();
        })
        .catch(function () {
          stop();
          show("error", text("camera-error"), text("camera-error-lead"));
        });
    };

    startButton.addEventListener("click", function () { if (stream) stop(); else start(); });
  }

  /* --- The page shell offline ----------------------------------------------------------------- */

  var worker = desk.getAttribute("data-sw");
  if (worker && "serviceWorker" in navigator) {
    navigator.serviceWorker.register(worker, { scope: desk.getAttribute("data-sw-scope") }).catch(function () {});
  }
})();
