// Optional enhancement: the page reads fully without it, every time in the site's zone.
// When the reader's own zone differs, each absolute time is shown once, in the reader's zone,
// in the same shape as the site's ("8 Mar 2026, 10:20 EDT"); the site's time stays in the title.
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
    day: "numeric", month: "short", year: "numeric", hour: "2-digit", minute: "2-digit", hourCycle: "h23", timeZoneName: "short"
  });
  function text(moment) {
    var parts = {};
    format.formatToParts(moment).forEach(function (part) { parts[part.type] = part.value; });
    return parts.day + " " + parts.month.replace(/\.$/, "") + " " + parts.year + ", " + parts.hour + ":" + parts.minute + " " + parts.timeZoneName;
  }
  var times = document.querySelectorAll("time[datetime]");
  for (var i = 0; i < times.length; i++) {
    var moment = new Date(times[i].getAttribute("datetime"));
    if (isNaN(moment.getTime()) || times[i].getAttribute("datetime").length < 16) continue;  // a date alone has no zone
    times[i].title = times[i].textContent;
    times[i].textContent = text(moment);
  }
  var notes = document.querySelectorAll(".zone-note[data-reader-zone]");
  for (var j = 0; j < notes.length; j++) {
    notes[j].textContent = notes[j].getAttribute("data-reader-zone").replace("{zone}", readerZone);
  }
})();
