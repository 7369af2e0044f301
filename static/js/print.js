// The packet page's Print button: shown and wired up here, because the CSP forbids onclick.
// Without JavaScript the button stays hidden and the browser's own Print does the same.
for (const button of document.querySelectorAll("button[data-print]")) {
  button.addEventListener("click", () => window.print());
  button.hidden = false;
}
