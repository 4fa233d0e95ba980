"""Live collaboration over Channels: consumers, routing, broadcast after commit, presence."""
