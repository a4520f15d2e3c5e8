"""Console pages: the dashboard, and exports with their progress."""
