"""SMS over SMPP 3.4 and Zalo ZNS, against local servers that speak each protocol."""

from __future__ import annotations

import json
import socket
import struct
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from grassroots.feedback.notify import DeliveryError, shorten
from grassroots.feedback.notify.smpp import SmppSmsNotifier, msisdn
from grassroots.feedback.notify.zns import ZnsNotifier

BIND_TRANSCEIVER, SUBMIT_SM, UNBIND, ENQUIRE_LINK = 0x09, 0x04, 0x06, 0x15
RESP = 0x80000000
ESME_RINVPASWD, ESME_RTHROTTLED = 0x0E, 0x58


def cstring(body: bytes, at: int) -> tuple[str, int]:
    end = body.index(b"\0", at)
    return body[at:end].decode("latin-1"), end + 1


class SmscSimulator:
    """A minimal SMS centre: bind_transceiver, submit_sm → submit_sm_resp, unbind.

    It checks the password, refuses numbers listed in ``throttle`` with
    ESME_RTHROTTLED, and keeps every accepted message (decoded, UDH removed).
    """

    def __init__(self, password="matkhau", throttle=()):  # noqa: S107 - a test server
        self.password = password
        self.throttle = set(throttle)
        self.binds: list[tuple[str, str]] = []
        self.messages: list[dict] = []
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(5)
        self.port = self.sock.getsockname()[1]
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self):
        while True:
            try:
                conn, _addr = self.sock.accept()
            except OSError:
                return
            threading.Thread(target=self._session, args=(conn,), daemon=True).start()

    @staticmethod
    def _read(conn, n):
        data = b""
        while len(data) < n:
            chunk = conn.recv(n - len(data))
            if not chunk:
                raise ConnectionError
            data += chunk
        return data

    def _session(self, conn):
        counter = 0
        with conn:
            while True:
                try:
                    length, command, _status, seq = struct.unpack(
                        ">IIII", self._read(conn, 16)
                    )
                    body = self._read(conn, length - 16)
                except ConnectionError:
                    return
                status, reply = 0, b""
                if command == BIND_TRANSCEIVER:
                    system_id, at = cstring(body, 0)
                    password, at = cstring(body, at)
                    self.binds.append((system_id, password))
                    status = 0 if password == self.password else ESME_RINVPASWD
                    reply = b"SMSC\0"
                elif command == SUBMIT_SM:
                    message = self._submit(body)
                    if message["destination"] in self.throttle:
                        status = ESME_RTHROTTLED
                    else:
                        counter += 1
                        self.messages.append(message)
                        reply = f"msg{counter}\0".encode()
                elif command not in (UNBIND, ENQUIRE_LINK):
                    status = 0x03  # ESME_RINVCMDID
                pdu = struct.pack(">IIII", 16 + len(reply), command | RESP, status, seq)
                conn.sendall(pdu + reply)
                if command == UNBIND:
                    return

    @staticmethod
    def _submit(body: bytes) -> dict:
        _service, at = cstring(body, 0)
        source_ton, _npi = body[at], body[at + 1]
        source, at = cstring(body, at + 2)
        dest_ton = body[at]
        destination, at = cstring(body, at + 2)
        esm_class = body[at]
        _schedule, at = cstring(body, at + 3)
        _validity, at = cstring(body, at)
        coding = body[at + 2]
        length = body[at + 4]
        short = body[at + 5 : at + 5 + length]
        if esm_class & 0x40:  # a user data header (concatenated parts)
            short = short[short[0] + 1 :]
        text = short.decode("utf-16-be" if coding == 8 else "latin-1")
        return {
            "source": source,
            "source_ton": source_ton,
            "destination": destination,
            "destination_ton": dest_ton,
            "coding": coding,
            "text": text,
        }

    def stop(self):
        self.sock.close()


@pytest.fixture
def smsc(settings):
    server = SmscSimulator(throttle={"84900000000"})
    settings.GRASSROOTS_SMPP = {
        "host": "127.0.0.1",
        "port": server.port,
        "system_id": "ubnd_xa",
        "password": "matkhau",
        "source_addr": "UBND-XA",
    }
    yield server
    server.stop()


def test_an_sms_goes_to_the_sms_centre_in_vietnamese(smsc):
    text = "Phản ánh ABCDE-FGHJK của bạn đã được trả lời. Xem tại trang tra cứu."
    SmppSmsNotifier().send("0912 345 678", "chủ đề", text)
    assert smsc.binds == [("ubnd_xa", "matkhau")]
    (message,) = smsc.messages
    assert message["destination"] == "84912345678"
    assert message["source"] == "UBND-XA"
    assert (message["source_ton"], message["destination_ton"]) == (5, 1)
    assert message["coding"] == 8  # UCS-2: Vietnamese diacritics intact
    assert message["text"] == text


def test_a_long_sms_is_sent_in_parts_that_join_up(smsc):
    text = "Thông báo cắt điện ấp Một từ 7 giờ đến 11 giờ sáng thứ Năm. " * 4
    SmppSmsNotifier().send("0912345678", "", text)
    assert len(smsc.messages) > 1
    assert "".join(m["text"] for m in smsc.messages) == shorten(
        text, SmppSmsNotifier.MAX_CHARS
    )


def test_a_refusal_by_the_sms_centre_is_a_delivery_error(smsc, settings):
    with pytest.raises(DeliveryError, match="SMPP"):
        SmppSmsNotifier().send("0900000000", "", "Bị từ chối")
    settings.GRASSROOTS_SMPP = {**settings.GRASSROOTS_SMPP, "password": "sai"}
    with pytest.raises(DeliveryError, match="SMPP"):
        SmppSmsNotifier().send("0912345678", "", "Sai mật khẩu")
    assert smsc.messages == []


def test_an_unreachable_sms_centre_is_a_delivery_error(settings):
    free = socket.socket()
    free.bind(("127.0.0.1", 0))
    port = free.getsockname()[1]
    free.close()
    settings.GRASSROOTS_SMPP = {
        "host": "127.0.0.1",
        "port": port,
        "system_id": "x",
        "password": "y",
        "source_addr": "UBND",
    }
    with pytest.raises(DeliveryError):
        SmppSmsNotifier().send("0912345678", "", "Không tới")


def test_msisdn_forms():
    assert msisdn("0912 345 678") == "84912345678"
    assert msisdn("+84 912-345-678") == "84912345678"
    assert msisdn("84912345678") == "84912345678"


class ZnsSimulator:
    """The ZNS template API's request and error shapes (HTTP 200, ``error`` ≠ 0)."""

    TOKEN = "token-hop-le"

    def __init__(self):
        self.requests: list[dict] = []
        service = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - the http.server API
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                service.requests.append(
                    {
                        "headers": {k.lower(): v for k, v in self.headers.items()},
                        "body": body,
                    }
                )
                if self.headers.get("access_token") != service.TOKEN:
                    answer = {"error": -124, "message": "Access token is invalid"}
                elif body.get("phone") == "84900000000":
                    answer = {"error": -108, "message": "Phone number is invalid"}
                elif not body.get("template_data", {}).get("content"):
                    answer = {"error": -1124, "message": "Template data is invalid"}
                else:
                    answer = {
                        "error": 0,
                        "message": "Success",
                        "data": {"msg_id": "a1b2c3", "sent_time": "1700000000000"},
                    }
                data = json.dumps(answer).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_port}/message/template"

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def zns(settings):
    server = ZnsSimulator()
    settings.GRASSROOTS_ZNS = {
        "url": server.url,
        "access_token": ZnsSimulator.TOKEN,
        "template_id": "301234",
    }
    yield server
    server.stop()


def test_a_zalo_template_message_is_sent(zns):
    ZnsNotifier().send("0912345678", "Phản ánh ABC đã trả lời", "Xã đã sửa đèn đường.")
    (request,) = zns.requests
    assert request["headers"]["access_token"] == ZnsSimulator.TOKEN
    body = request["body"]
    assert body["phone"] == "84912345678"
    assert body["template_id"] == "301234"
    assert body["template_data"] == {
        "title": "Phản ánh ABC đã trả lời",
        "content": "Xã đã sửa đèn đường.",
    }
    assert body["tracking_id"]


@pytest.mark.parametrize(
    ("phone", "token", "error"),
    [("0900000000", ZnsSimulator.TOKEN, "-108"), ("0912345678", "het-han", "-124")],
)
def test_zns_errors_are_delivery_errors(zns, settings, phone, token, error):
    settings.GRASSROOTS_ZNS = {**settings.GRASSROOTS_ZNS, "access_token": token}
    with pytest.raises(DeliveryError, match=error):
        ZnsNotifier().send(phone, "Tiêu đề", "Nội dung")


@pytest.mark.django_db
def test_the_outbox_retries_an_sms_the_centre_refused(smsc, settings):
    """A refused SMS stays failed with its reason; the job raises so huey retries it."""
    from grassroots.feedback.models import Notification, NotificationStatus
    from grassroots.feedback.tasks import deliver_notification

    settings.GRASSROOTS_FEEDBACK_NOTIFIERS = {
        "sms": "grassroots.feedback.notify.smpp.SmppSmsNotifier"
    }
    message = Notification.objects.create(
        channel="sms", recipient="0900000000", subject="", body="Thử lại"
    )
    with pytest.raises(RuntimeError):
        deliver_notification.call_local(message.pk)
    message.refresh_from_db()
    assert message.status == NotificationStatus.FAILED
    assert "SMPP" in message.error
    smsc.throttle.clear()
    deliver_notification.call_local(message.pk)
    message.refresh_from_db()
    assert message.status == NotificationStatus.SENT
    assert smsc.messages[0]["text"] == "Thử lại"
    assert deliver_notification.retries == 3
