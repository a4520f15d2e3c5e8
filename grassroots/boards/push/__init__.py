"""Push to the players: the journal actions write, the hub each web process runs,
and the server-sent event streams the players hold open (ADR i6-01)."""
