"""Running the whole system: the processes and the supervisor of ``grassroots run``."""
