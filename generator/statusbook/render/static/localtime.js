// Optional enhancement: the page reads fully without it. Adds the reader's own local time
// next to each absolute time when the reader is in a different time zone than the site.
(function () {
  "use strict";
  var root = document.documentElement;
  var siteZone = root.getAttribute("data-zone");
  var readerZone;
  try {
    readerZone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  } catch (e) {
    return;
  }
  if (!readerZone || readerZone === siteZone) return;
  var format = new Intl.DateTimeFormat(root.lang || undefined, {
    day: "numeric", month: "short", year: "numeric", hour: "2-digit", minute: "2-digit", timeZoneName: "short"
  });
  var times = document.querySelectorAll("main time[datetime]");
  for (var i = 0; i < times.length; i++) {
    var moment = new Date(times[i].getAttribute("datetime"));
    if (isNaN(moment.getTime())) continue;
    var local = document.createElement("span");
    local.className = "local-time";
    local.textContent = " (" + format.format(moment) + ")";
    times[i].parentNode.insertBefore(local, times[i].nextSibling);
  }
})();
