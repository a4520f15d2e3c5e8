"""Reference device agent and fleet simulator for grassroots loudspeaker clusters."""
