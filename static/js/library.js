// Tactic library manager: drag-and-drop ordering of the agency's own tactics (sortable.js),
// bound for the page and again for every swapped-in #tactic-table.
import { bindSortables } from "./sortable.js";

htmx.onLoad(bindSortables);
