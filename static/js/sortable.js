// Drag-and-drop ordering for every [data-sortable] list (the editor's tactics and board columns,
// the library manager's table): on drop, the new order of the items' data-id goes to
// data-reorder-url and the answer replaces data-swap-target. The ↑/↓ buttons are the keyboard
// and no-JavaScript alternative. Sortable is the vendored classic script's global.

function bindSortable(list) {
  if (list.dataset.sortableBound || !window.Sortable) return;
  list.dataset.sortableBound = "1";
  Sortable.create(list, {
    handle: ".drag-handle",
    animation: 150,
    onEnd: function (evt) {
      if (evt.oldIndex === evt.newIndex) return;
      const ids = Array.from(list.children)
        .filter(function (item) { return item.dataset.id !== undefined; })
        .map(function (item) { return item.dataset.id; });
      htmx.ajax("POST", list.dataset.reorderUrl, {
        target: list.dataset.swapTarget,
        swap: "outerHTML",
        values: { order: ids },
      });
    },
  });
}

// `root` itself and every sortable list inside it.
export function bindSortables(root) {
  if (root.matches && root.matches("[data-sortable]")) bindSortable(root);
  if (root.querySelectorAll) root.querySelectorAll("[data-sortable]").forEach(bindSortable);
}
