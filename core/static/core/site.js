// Small behaviours of our own, kept out of the pages so the Content-Security-Policy allows no inline script.
document.addEventListener("click", function (event) {
  var target = event.target instanceof Element ? event.target.closest("[data-portal-print]") : null;
  if (target) {
    window.print();
  }
});
