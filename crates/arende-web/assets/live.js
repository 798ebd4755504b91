// arende-web: live updates. Pages marked data-live reload their main content every
// minute while visible, so a secretary's screen follows the store. Without JavaScript
// the pages are complete; this only refreshes them.
(function () {
  var main = document.getElementById('main');
  if (!main || !document.body.hasAttribute('data-live')) { return; }
  setInterval(function () {
    if (document.hidden) { return; }
    fetch(window.location.href, { credentials: 'same-origin' })
      .then(function (r) { return r.ok ? r.text() : null; })
      .then(function (text) {
        if (!text) { return; }
        var doc = new DOMParser().parseFromString(text, 'text/html');
        var fresh = doc.getElementById('main');
        if (fresh && !main.contains(document.activeElement)) { main.innerHTML = fresh.innerHTML; }
      })
      .catch(function () {});
  }, 60000);
})();
