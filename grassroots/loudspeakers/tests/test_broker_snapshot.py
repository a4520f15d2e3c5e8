from grassroots.loudspeakers.broker.server import _Snapshot


def test_subscriptions_can_change_while_the_broker_walks_them():
    """A device subscribing while another connects must not break either (amqtt bug)."""
    subscriptions = _Snapshot({"gr/v1/area/82/cmd": [], "gr/v1/dev/a/cmd": []})
    seen = []
    for topic in subscriptions:
        subscriptions[f"{topic}/new"] = []
        seen.append(topic)
    for topic, _sessions in subscriptions.items():
        subscriptions.pop(topic)
    assert seen == ["gr/v1/area/82/cmd", "gr/v1/dev/a/cmd"] and subscriptions == {}
