// Copy an article's link to the clipboard; without JavaScript the link just
// points at the page. No third-party code, loaded with defer.
document.addEventListener("click", function (event) {
  var link = event.target.closest("[data-copy-link]");
  if (!link || !navigator.clipboard) return;
  event.preventDefault();
  navigator.clipboard.writeText(link.href).then(function () {
    link.textContent = "Link copied";
    link.setAttribute("aria-live", "polite");
  });
});
