"""Actuals: a journey's real monthly figures per stage, and the scorecard that compares them
with the targets the economics project. Depends on the map and the deliverable, never the
reverse."""
