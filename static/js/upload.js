// Upload page: several files, drag and drop, one request per file with its own progress bar.
(function () {
  "use strict";
  var form = document.getElementById("upload-form");
  if (!form || !window.FormData || !window.XMLHttpRequest) { return; }
  var input = document.getElementById("file-input");
  var dropzone = document.getElementById("dropzone");
  var cards = document.getElementById("file-cards");
  var defaults = document.getElementById("default-fields");
  var template = document.getElementById("file-card-template");
  var button = document.getElementById("upload-button");
  var summary = document.getElementById("upload-summary");
  var maxBytes = parseInt(form.dataset.maxBytes, 10);
  var maxMb = form.dataset.maxMb;
  var csrf = form.querySelector("input[name=csrf_token]");
  var queue = [];
  var counter = 0;

  input.removeAttribute("required");

  function titleFromName(name) {
    var stem = name.replace(/^.*[\\/]/, "").replace(/\.[^.]+$/, "");
    var title = stem.replace(/[_\s]+/g, " ").replace(/^[\s-]+|[\s-]+$/g, "");
    return title ? title.charAt(0).toUpperCase() + title.slice(1) : "Untitled";
  }

  function humanSize(bytes) {
    if (bytes < 1024) { return bytes + " B"; }
    if (bytes < 1024 * 1024) { return (bytes / 1024).toFixed(1) + " KB"; }
    return (bytes / 1024 / 1024).toFixed(1) + " MB";
  }

  function cloneFields(n) {
    var row = defaults.querySelector(".row").cloneNode(true);
    var originals = defaults.querySelectorAll("input, select, textarea");
    var copies = row.querySelectorAll("input, select, textarea");
    copies.forEach(function (el, i) {
      var original = originals[i];
      if (el.tagName === "SELECT") {
        Array.prototype.forEach.call(el.options, function (opt, j) { opt.selected = original.options[j].selected; });
      } else {
        el.value = original.value;
      }
      if (el.id) {
        var label = row.querySelector("label[for='" + el.id + "']");
        el.id = el.id + "-" + n;
        if (label) { label.htmlFor = el.id; }
      }
    });
    return row;
  }

  function setStatus(item, text, kind) {
    item.status.textContent = "";
    item.status.className = "file-status small mt-1 " + (kind ? "text-" + kind : "");
    if (typeof text === "string") { item.status.textContent = text; } else { item.status.appendChild(text); }
  }

  function setProgress(item, percent, kind) {
    item.bar.style.width = percent + "%";
    item.bar.dataset.progress = String(percent);
    item.bar.parentNode.setAttribute("aria-valuenow", String(percent));
    item.bar.className = "progress-bar" + (kind ? " bg-" + kind : "");
  }

  function addFiles(files) {
    Array.prototype.forEach.call(files, function (file) {
      counter += 1;
      var node = template.content.firstElementChild.cloneNode(true);
      var item = {
        file: file, node: node, state: "pending",
        bar: node.querySelector(".progress-bar"), status: node.querySelector(".file-status")
      };
      node.dataset.fileName = file.name;
      node.querySelector(".file-name").textContent = file.name;
      node.querySelector(".file-size").textContent = humanSize(file.size);
      var fields = cloneFields(counter);
      fields.querySelector("[name=title]").value = titleFromName(file.name);
      var type = fields.querySelector("[name=asset_type]");
      // a PowerPoint file is a deck unless the marketer already chose a type for this batch
      if (type && type.value === "other" && /\.pptx$/i.test(file.name)) {
        type.value = "deck";
      }
      node.querySelector(".card-fields").appendChild(fields);
      node.querySelector(".remove-file").addEventListener("click", function () {
        if (item.state === "uploading") { return; }
        queue.splice(queue.indexOf(item), 1);
        node.remove();
        refresh();
      });
      if (file.size === 0) {
        item.state = "invalid";
        setStatus(item, file.name + " is empty. Choose a file that has content.", "danger");
      } else if (file.size > maxBytes) {
        item.state = "invalid";
        setStatus(item, file.name + " is too large. The limit is " + maxMb + " MB per file.", "danger");
      }
      queue.push(item);
      cards.appendChild(node);
    });
    input.value = "";
    refresh();
  }

  function refresh() {
    var pending = queue.filter(function (i) { return i.state === "pending"; }).length;
    defaults.hidden = queue.length > 0;
    button.textContent = pending > 1 ? "Upload " + pending + " files" : "Upload";
  }

  function send(item, done) {
    var data = new FormData();
    if (csrf) { data.append("csrf_token", csrf.value); }
    data.append("file", item.file, item.file.name);
    item.node.querySelectorAll(".card-fields input, .card-fields select, .card-fields textarea").forEach(function (el) {
      if (!el.name) { return; }
      if (el.tagName === "SELECT" && el.multiple) {
        Array.prototype.forEach.call(el.selectedOptions, function (opt) { data.append(el.name, opt.value); });
      } else {
        data.append(el.name, el.value);
      }
    });
    var xhr = new XMLHttpRequest();
    xhr.open("POST", form.action);
    xhr.setRequestHeader("Accept", "application/json");
    xhr.setRequestHeader("X-Requested-With", "XMLHttpRequest");
    xhr.upload.addEventListener("progress", function (event) {
      if (event.lengthComputable) { setProgress(item, Math.round((event.loaded / event.total) * 100)); }
    });
    xhr.addEventListener("load", function () {
      var body = null;
      try { body = JSON.parse(xhr.responseText); } catch (e) { body = null; }
      if (xhr.status === 201 && body && body.asset) {
        item.state = "done";
        setProgress(item, 100, "success");
        var link = document.createElement("a");
        link.href = body.asset.url;
        link.textContent = "Uploaded: open “" + body.asset.title + "”";
        var wrap = document.createElement("span");
        wrap.appendChild(link);
        if (body.asset.duplicate_of && body.asset.duplicate_of.length) {
          wrap.appendChild(document.createTextNode(" (the same file is already in asset #" + body.asset.duplicate_of[0] + ")"));
        }
        if (body.asset.extraction_note) {
          // stored, but its text could not all be read: say why, as the asset page does
          var note = document.createElement("span");
          note.className = "d-block text-warning-emphasis upload-note";
          note.textContent = body.asset.extraction_note;
          wrap.appendChild(note);
        }
        setStatus(item, wrap, body.asset.extraction_note ? "" : "success");
      } else {
        item.state = "failed";
        setProgress(item, 100, "danger");
        var message = body && body.error ? body.error.message : "The upload failed (" + xhr.status + "). Please try again.";
        setStatus(item, message, "danger");
      }
      done();
    });
    xhr.addEventListener("error", function () {
      item.state = "failed";
      setProgress(item, 100, "danger");
      setStatus(item, "The upload did not reach the server. Check the connection and the file size, then try again.", "danger");
      done();
    });
    item.state = "uploading";
    setStatus(item, "Uploading…", "secondary");
    xhr.send(data);
  }

  function uploadAll() {
    var pending = queue.filter(function (i) { return i.state === "pending" || i.state === "failed"; });
    if (!pending.length) {
      summary.textContent = queue.length ? "Nothing left to upload." : "Choose or drop at least one file first.";
      return;
    }
    button.disabled = true;
    var index = 0;
    (function next() {
      if (index >= pending.length) {
        button.disabled = false;
        var ok = queue.filter(function (i) { return i.state === "done"; }).length;
        var bad = queue.filter(function (i) { return i.state === "failed" || i.state === "invalid"; }).length;
        summary.textContent = ok + " uploaded" + (bad ? ", " + bad + " not uploaded (see the messages above)" : "") + ".";
        refresh();
        return;
      }
      send(pending[index++], next);
    })();
  }

  input.addEventListener("change", function () { if (input.files.length) { addFiles(input.files); } });
  form.addEventListener("submit", function (event) { event.preventDefault(); uploadAll(); });
  ["dragenter", "dragover"].forEach(function (name) {
    dropzone.addEventListener(name, function (event) { event.preventDefault(); dropzone.classList.add("dragover"); });
  });
  ["dragleave", "drop"].forEach(function (name) {
    dropzone.addEventListener(name, function (event) { event.preventDefault(); dropzone.classList.remove("dragover"); });
  });
  dropzone.addEventListener("drop", function (event) {
    if (event.dataTransfer && event.dataTransfer.files.length) { addFiles(event.dataTransfer.files); }
  });
})();
