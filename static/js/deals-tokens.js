// Profile page: copy a newly created API token to the clipboard.
document.querySelectorAll(".js-copy").forEach(function (button) {
  button.addEventListener("click", function () {
    var input = document.getElementById(button.dataset.copyTarget);
    if (!input) return;
    input.select();
    var done = function () { button.textContent = "Copied"; };
    if (navigator.clipboard) {
      navigator.clipboard.writeText(input.value).then(done, function () { document.execCommand("copy"); done(); });
    } else {
      document.execCommand("copy");
      done();
    }
  });
});
