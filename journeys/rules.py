"""The map's rules, each stated once in Python; templates, CSS and JavaScript receive them.

(A home for every rule the map, the deliverable and the pages share — see issue 20.)
"""

from __future__ import annotations

# The kind of content that engages depends on how aware the persona is: entertain the unaware,
# educate the problem-aware, contrast with other solutions for the solution-aware, compare with
# competitors for the product-aware. Channels that carry that kind of content:
AWARENESS_CHANNELS: dict[str, tuple[str, ...]] = {
    "unaware": ("social", "paid", "events", "content", "partners"),
    "problem_aware": ("content", "search", "email", "social", "events"),
    "solution_aware": ("content", "cro", "email", "search", "sales"),
    "product_aware": ("sales", "cro", "email", "product", "partners"),
}
