// Deals list: filters apply as soon as a select changes; the Filter button stays for keyboards and no-JS.
document.querySelectorAll("form.js-autosubmit select").forEach(function (select) {
  select.addEventListener("change", function () {
    select.form.submit();
  });
});
