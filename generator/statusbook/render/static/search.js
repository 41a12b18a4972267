// The search page's script: searches incident titles and updates in Pagefind's static index (pagefind/),
// loaded from this site only. Without it the page keeps its link to the history.
// Results are built as DOM nodes from text: an excerpt's only markup, Pagefind's <mark>, is rebuilt, nothing else.
(function () {
  "use strict";
  var form = document.getElementById("search");
  var input = document.getElementById("search-input");
  var status = document.getElementById("search-status");
  var list = document.getElementById("search-results");
  if (!form || !input || !status || !list || !("fetch" in window)) return;
  var root = form.getAttribute("data-root") || "";
  // One bundle per year of incidents, newest first: the first is loaded, the others merged into it.
  var indexes = (form.getAttribute("data-indexes") || "").split(" ").filter(Boolean).map(function (path) {
    return new URL(path, document.baseURI).href;
  });
  var pagefind = null;
  var timer = null;
  var asked = 0;
  var LIMIT = 25;

  function say(key, count) {
    status.textContent = (status.getAttribute("data-" + key) || "").replace("{num}", String(count));
  }

  function excerpt(html) {
    var out = document.createElement("p");
    out.className = "excerpt";
    var parsed = new DOMParser().parseFromString("<p>" + html + "</p>", "text/html").body.firstChild;
    parsed.childNodes.forEach(function (node) {
      if (node.nodeName === "MARK") {
        var mark = document.createElement("mark");
        mark.textContent = node.textContent;
        out.appendChild(mark);
      } else {
        out.appendChild(document.createTextNode(node.textContent));
      }
    });
    return out;
  }

  function item(data) {
    var li = document.createElement("li");
    li.className = "row";
    var link = document.createElement("a");
    link.className = "row-title";
    // The incident page's path, relative to the site root (the search document itself is not published).
    link.href = root + String((data.meta && data.meta.page) || "").replace(/^\/+/, "");
    link.textContent = (data.meta && data.meta.title) || data.url;
    li.appendChild(link);
    if (data.meta && data.meta.date) {
      var when = document.createElement("span");
      when.className = "row-time";
      when.textContent = data.meta.date;
      li.appendChild(when);
    }
    li.appendChild(excerpt(data.excerpt || ""));
    return li;
  }

  function run() {
    var query = input.value.trim();
    var number = ++asked;
    if (!query) {
      list.replaceChildren();
      status.textContent = "";
      return;
    }
    pagefind.search(query).then(function (found) {
      if (number !== asked) return null;
      return Promise.all(found.results.slice(0, LIMIT).map(function (r) { return r.data(); })).then(function (pages) {
        if (number !== asked) return;
        list.replaceChildren.apply(list, pages.map(item));
        var count = found.results.length;
        say(count === 0 ? "none" : count === 1 ? "one" : "many", count);
      });
    }).catch(function () { say("failed", 0); });
  }

  import(indexes[0] + "pagefind.js").then(function (module) {
    pagefind = module;
    return indexes.slice(1).reduce(function (done, url) {
      return done.then(function () { return pagefind.mergeIndex(url); });
    }, Promise.resolve());
  }).then(function () {
    return pagefind.init();
  }).then(function () {
    document.getElementById("search-fallback").hidden = true;
    form.hidden = false;
    form.addEventListener("submit", function (event) { event.preventDefault(); run(); });
    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(run, 200);
    });
    var given = new URLSearchParams(window.location.search).get("q");
    if (given) {
      input.value = given;
      run();
    }
  }).catch(function () { say("failed", 0); });
})();
