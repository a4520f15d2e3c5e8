"""Django settings: ``base`` plus one module per mode (dev, production, test)."""
