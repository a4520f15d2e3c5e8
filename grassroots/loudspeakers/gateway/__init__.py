"""The gateway: MQTT in, database out (``grassroots gateway``)."""
