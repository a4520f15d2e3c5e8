"""The embedded MQTT broker (amqtt) used when no MQTT_URL is configured."""
