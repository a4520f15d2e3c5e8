"""The topic rules and the credential hashes, independent of any broker."""

import shutil
import subprocess

import pytest

from grassroots.loudspeakers import acl, credentials
from grassroots_agent.protocol import Topics

T = Topics("gr")


def test_device_reads_its_own_topics_and_its_areas_only():
    rules = acl.device_rules(T, "d1", "82/28261/H01/")
    assert acl.allowed(rules, "gr/v1/dev/d1/cmd", acl.READ)
    assert acl.allowed(rules, "gr/v1/area/82/emergency", acl.READ)
    assert acl.allowed(rules, "gr/v1/area/82/28261/cmd", acl.READ)
    assert acl.allowed(rules, "gr/v1/area/82/28261/H01/emergency", acl.READ)
    assert not acl.allowed(rules, "gr/v1/area/82/28262/cmd", acl.READ)
    assert not acl.allowed(rules, "gr/v1/dev/d2/cmd", acl.READ)
    assert not acl.allowed(rules, "gr/v1/dev/+/cmd", acl.READ)
    assert not acl.allowed(rules, "gr/v1/#", acl.READ)
    assert not acl.allowed(rules, "gr/v1/area/82/cmd", acl.WRITE)


def test_device_writes_only_its_state_and_events():
    rules = acl.device_rules(T, "d1", "82/28261/H01/")
    assert acl.allowed(rules, "gr/v1/dev/d1/state", acl.WRITE)
    assert acl.allowed(rules, "gr/v1/dev/d1/evt", acl.WRITE)
    assert not acl.allowed(rules, "gr/v1/dev/d2/state", acl.WRITE)
    assert not acl.allowed(rules, "gr/v1/dev/d1/cmd", acl.WRITE)


def test_services_have_just_what_they_need():
    rules = acl.service_rules(T)
    web, gateway = rules[credentials.WEB], rules[credentials.GATEWAY]
    assert acl.allowed(web, "gr/v1/area/82/28261/emergency", acl.WRITE)
    assert acl.allowed(web, "gr/v1/dev/x/schedule", acl.WRITE)
    assert not acl.allowed(web, "gr/v1/dev/x/state", acl.READ)
    assert acl.allowed(gateway, "$share/gw/gr/v1/dev/+/state", acl.READ)
    assert acl.allowed(gateway, "gr/v1/dev/+/evt", acl.READ)
    assert acl.allowed(gateway, "gr/v1/dev/x/cmd", acl.WRITE)
    assert not acl.allowed(gateway, "gr/v1/area/82/emergency", acl.WRITE)


def test_rendered_acl_has_explicit_rules_per_user_and_no_patterns():
    entries = [
        ("d1", acl.device_rules(T, "d1", "82/1/")),
        *acl.service_rules(T).items(),
    ]
    text = acl.render(entries, header="test")
    assert "user d1\ntopic read gr/v1/dev/d1/cmd\n" in text
    assert "topic write gr/v1/dev/d1/state\n" in text
    assert "pattern" not in text


def test_secret_hash_verifies_and_rejects(settings):
    secret = credentials.new_secret()
    hashed = credentials.hash_secret(secret)
    assert hashed.startswith("$7$")
    assert credentials.verify(secret, hashed)
    assert not credentials.verify(secret + "x", hashed)
    assert not credentials.verify(secret, "garbage")
    assert credentials.service_password(
        credentials.WEB
    ) != credentials.service_password(credentials.GATEWAY)
    assert credentials.service_hash(credentials.WEB) == credentials.service_hash(
        credentials.WEB
    )


@pytest.mark.skipif(
    not shutil.which("mosquitto_passwd"), reason="mosquitto_passwd not installed"
)
def test_hashes_are_mosquittos_own_format(tmp_path):
    """A hash made by mosquitto_passwd verifies with our code (Mosquitto reads ours in test_brokers)."""
    path = tmp_path / "passwd"
    tool = str(shutil.which("mosquitto_passwd"))
    command = [tool, "-c", "-b", str(path), "dev", "s3cret-value"]
    subprocess.run(command, check=True)  # noqa: S603 - Debian's tool
    hashed = path.read_text().strip().split(":", 1)[1]
    assert credentials.verify("s3cret-value", hashed)
    assert not credentials.verify("other", hashed)
