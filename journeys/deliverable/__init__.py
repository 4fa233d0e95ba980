"""The deliverable: what the client is handed, built on the map and never the other way round.

snapshot.py   one typed read of a journey (the PDF, the client, guest and share pages)
economics.py  the funnel and money figures, computed once
gaps.py       where the journey is broken, from the snapshot
plan.py       the plan and roadmap figures (the writes are the map's: journeys/planning.py)
pdf.py        the pure renderer: snapshot -> PDF bytes
exports.py    export rows, their queue and Celery tasks, the quiet-time pre-render
sharing.py    share links, finalizing and the versions a client is shown
versions.py   what changed between two versions
showcase.py   the read-only journey page's context
"""
