"""Our Icecast's configuration and passwords, as ``grassroots icecast`` writes them."""

from __future__ import annotations

import os
import stat

from grassroots.live import icecast


def test_passwords_are_made_once_private_and_kept(settings, tmp_path):
    settings.GRASSROOTS_STREAM_DIR = tmp_path / "icecast"
    first = icecast.passwords()
    assert set(first) == set(icecast.SECRETS)
    assert len(set(first.values())) == len(icecast.SECRETS)
    assert icecast.passwords() == first
    mode = stat.S_IMODE(os.stat(tmp_path / "icecast" / "secrets.json").st_mode)
    assert mode == 0o600


def test_the_configuration_checks_every_listener_and_sends_no_burst(settings, tmp_path):
    settings.GRASSROOTS_STREAM_DIR = tmp_path / "icecast"
    settings.GRASSROOTS_STREAM_PORT = 18010
    settings.GRASSROOTS_STREAM_BIND = "127.0.0.1"
    settings.GRASSROOTS_STREAM_HOOK_URL = "http://127.0.0.1:8000"
    files = icecast.write()
    text = files.conf.read_text()
    keys = icecast.passwords()
    assert stat.S_IMODE(os.stat(files.conf).st_mode) == 0o600
    assert '<authentication type="url">' in text
    assert 'value="http://127.0.0.1:8000/live/stream-hook/"' in text
    assert f"<source-password>{keys['source']}</source-password>" in text
    assert "<burst-size>0</burst-size>" in text
    assert "<bind-address>127.0.0.1</bind-address>" in text
    assert icecast.source_url("/live-x.mp3") == (
        f"icecast://source:{keys['source']}@127.0.0.1:18010/live-x.mp3"
    )
