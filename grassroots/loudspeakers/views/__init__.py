"""Console views beyond the generic ones: live page, commands, credentials, map, import."""
