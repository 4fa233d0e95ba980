"""Intake: before the session, the client fills the business basics and the avatar worksheet
through a signed link; the strategist takes the answers into the persona. Depends on the map;
the map never imports it."""
