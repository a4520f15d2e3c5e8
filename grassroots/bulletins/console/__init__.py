"""Console pages (Wagtail viewsets) of the bulletin library."""
