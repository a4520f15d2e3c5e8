"""Fixtures of the fault tests: a private Mosquitto, people, an emergency bulletin."""
