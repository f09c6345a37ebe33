/* A time as the server writes it (`app.formatting.hour`), in the étape's time zone whatever
 * the browser's: "9 h 42", "10 h" in French; "9:42" in English. Used by checkin.js and
 * board.js, loaded before them. */
window.jdtHour = (function () {
  "use strict";

  var paris = new Intl.DateTimeFormat("fr-FR", {
    timeZone: "Europe/Paris", hour: "numeric", minute: "2-digit", hourCycle: "h23",
  });
  return function (iso) {
    var parts = {};
    paris.formatToParts(new Date(iso)).forEach(function (part) { parts[part.type] = part.value; });
    var hours = Number(parts.hour);
    if (document.documentElement.lang !== "fr") return hours + ":" + parts.minute;
    return hours + "\u00a0h" + (parts.minute === "00" ? "" : "\u00a0" + parts.minute);
  };
})();
