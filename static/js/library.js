// Tactic library manager: drag-and-drop ordering of the agency's own tactics.
// The ↑/↓ buttons are the keyboard and no-JavaScript alternative.
(function () {
  "use strict";

  function bindSortable(tbody) {
    if (tbody.dataset.sortableBound || !window.Sortable) return;
    tbody.dataset.sortableBound = "1";
    Sortable.create(tbody, {
      handle: ".drag-handle",
      animation: 150,
      onEnd: function (evt) {
        if (evt.oldIndex === evt.newIndex) return;
        const ids = Array.from(tbody.querySelectorAll("tr[data-id]")).map(function (row) {
          return row.dataset.id;
        });
        htmx.ajax("POST", tbody.dataset.reorderUrl, {
          target: "#tactic-table",
          swap: "outerHTML",
          values: { order: ids },
        });
      },
    });
  }

  // Runs for the page and again for every swapped-in #tactic-table.
  htmx.onLoad(function (root) {
    if (root.matches && root.matches("[data-sortable]")) bindSortable(root);
    if (root.querySelectorAll) root.querySelectorAll("[data-sortable]").forEach(bindSortable);
  });
})();
