// "Imprimer" buttons: open the browser's print dialog (the page also prints without this).
document.querySelectorAll("[data-print]").forEach(function (button) {
  button.addEventListener("click", function () { window.print(); });
});
