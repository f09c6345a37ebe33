/* Service worker of the check-in tablet: keeps the page shell available when the venue's
 * network drops. Pages of /accueil/etapes/: network first; offline, the arrivals page's
 * last copy, and for the others (search, walk-ins...) a page saying they need the network.
 * The stylesheets and scripts: from the cache first. The API is never cached (the page
 * keeps offline scans itself). */
var CACHE = "jdt-accueil-{{ version }}";
var SHELL = {{ shell|tojson }};
// What a page of the étape that needs the network says offline ({desk}: its arrivals page).
var OFFLINE_PAGE = {{ offline_page|tojson }};

self.addEventListener("install", function (event) {
  event.waitUntil(caches.open(CACHE).then(function (cache) { return cache.addAll(SHELL); }));
  self.skipWaiting();
});

self.addEventListener("activate", function (event) {
  event.waitUntil(caches.keys().then(function (keys) {
    return Promise.all(keys.filter(function (key) {
      return key.indexOf("jdt-accueil-") === 0 && key !== CACHE;
    }).map(function (key) { return caches.delete(key); }));
  }).then(function () { return self.clients.claim(); }));
});

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET") return;
  var url = new URL(request.url);
  if (url.origin !== self.location.origin || url.pathname.indexOf("/api/") === 0) return;
  if (url.pathname.indexOf("/static/") === 0) {
    event.respondWith(caches.match(request).then(function (hit) {
      return hit || fetch(request).then(function (response) {
        var copy = response.clone();
        if (response.ok) caches.open(CACHE).then(function (cache) { cache.put(request, copy); });
        return response;
      });
    }));
    return;
  }
  if (request.mode === "navigate" && url.pathname.indexOf("/accueil/etapes/") === 0) {
    var desk = url.pathname.replace(/^(\/accueil\/etapes\/\d+).*$/, "$1");
    event.respondWith(fetch(request).then(function (response) {
      if (response.ok && url.pathname === desk) {
        var copy = response.clone();
        caches.open(CACHE).then(function (cache) { cache.put(desk, copy); });
      }
      return response;
    }).catch(function () {
      var offline = function () {
        return new Response(OFFLINE_PAGE.split("{desk}").join(desk), {
          status: 503,
          headers: { "Content-Type": "text/html; charset=utf-8" },
        });
      };
      // The arrivals page works offline (its last copy); the others say they need the network.
      if (url.pathname !== desk) return offline();
      return caches.match(desk).then(function (hit) { return hit || offline(); });
    }));
  }
});
