// The batch index's own script, allowed by the page's Content-Security-Policy through its hash.
// Progressive enhancement only: without it every portfolio stays listed, in portfolio name order,
// and the search box and filters (useless without it) stay hidden.
(function () {
  "use strict";
  var table = document.getElementById("portfolios");
  var form = document.getElementById("filters");
  var status = document.getElementById("filter-status");
  if (!table || !form || !status) { return; }
  var body = table.tBodies[0];
  var rows = Array.prototype.slice.call(body.rows);
  rows.forEach(function (row) {
    row.searchText = row.textContent.replace(/\s+/g, " ").toLowerCase();
  });

  function chosen(name) { return form.elements[name].value; }

  function hasCode(row, code) {
    return (" " + row.getAttribute("data-codes") + " ").indexOf(" " + code + " ") >= 0;
  }

  function matches(row, words, verdict, employer, standard, code) {
    if (verdict && row.getAttribute("data-verdict") !== verdict) { return false; }
    if (employer && "=" + row.getAttribute("data-employer") !== employer) { return false; }
    if (standard && "=" + row.getAttribute("data-standard") !== standard) { return false; }
    if (code && !hasCode(row, code)) { return false; }
    return words.every(function (word) { return row.searchText.indexOf(word) >= 0; });
  }

  function apply() {
    var query = chosen("q").trim().toLowerCase();
    var words = query ? query.split(/\s+/) : [];
    var verdict = chosen("verdict"), employer = chosen("employer"), standard = chosen("standard");
    var code = chosen("code");
    var shown = 0;
    rows.forEach(function (row) {
      var keep = matches(row, words, verdict, employer, standard, code);
      row.hidden = !keep;
      if (keep) { shown += 1; }
    });
    var total = rows.length;
    var noun = total === 1 ? " portfolio" : " portfolios";
    status.textContent = shown === total ? "Showing all " + total + noun + "."
      : "Showing " + shown + " of " + total + noun + " (filtered)." + (shown ? "" : " None matches: clear the filters.");
    status.setAttribute("data-filtered", shown === total ? "no" : "yes");
  }

  form.addEventListener("input", apply);
  form.addEventListener("change", apply);
  form.addEventListener("submit", function (event) { event.preventDefault(); apply(); });
  form.addEventListener("reset", function () { window.setTimeout(apply, 0); });
  form.hidden = false;
  status.hidden = false;
  apply();

  // Headings become sort buttons.
  var headers = table.tHead.rows[0].cells;
  function key(row, index, type) {
    var cell = row.cells[index];
    var value = cell.hasAttribute("data-sort") ? cell.getAttribute("data-sort") : cell.textContent.trim();
    if (type === "number") { return value === "" ? -Infinity : parseFloat(value); }
    return value.toLocaleLowerCase();
  }
  Array.prototype.forEach.call(headers, function (header, index) {
    var type = header.getAttribute("data-type");
    if (type === "none") { return; }
    var button = document.createElement("button");
    button.type = "button";
    button.textContent = header.textContent;
    header.textContent = "";
    header.appendChild(button);
    button.addEventListener("click", function () {
      var ascending = header.getAttribute("aria-sort") !== "ascending";
      Array.prototype.forEach.call(headers, function (other) { other.removeAttribute("aria-sort"); });
      header.setAttribute("aria-sort", ascending ? "ascending" : "descending");
      var ordered = Array.prototype.slice.call(body.rows);
      ordered.forEach(function (row, position) { row.position = position; });
      ordered.sort(function (a, b) {
        var x = key(a, index, type), y = key(b, index, type);
        var order = type === "number" ? x - y : x.localeCompare(y);
        return (ascending ? order : -order) || a.position - b.position;
      });
      ordered.forEach(function (row) { body.appendChild(row); });
    });
  });
}());
