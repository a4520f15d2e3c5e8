"""SMS through the carrier's SMS centre over SMPP 3.4 (brand-name SMS), with ``smpplib``.

Configured by ``GRASSROOTS_SMPP_*`` (``grassroots/conf.py``). Each message
opens a session (bind_transceiver), submits one submit_sm per part (UCS-2
for Vietnamese, concatenated with a UDH when long), waits for each
submit_sm_resp and unbinds. A refusal or a broken connection raises
``DeliveryError``: the outbox's job retries it. Without a host, messages
are logged (development).
"""

from __future__ import annotations

import logging

import smpplib.client
import smpplib.consts
import smpplib.exceptions
import smpplib.gsm
from django.conf import settings

from . import DeliveryError, LogSmsNotifier, SmsNotifier

logger = logging.getLogger(__name__)


def msisdn(phone: str) -> str:
    """Return a Vietnamese number in international form without "+": 0912… → 84912…."""
    digits = "".join(c for c in phone if c.isdigit())
    if phone.strip().startswith("+"):
        return digits
    if digits.startswith("0"):
        return "84" + digits[1:]
    return digits


class SmppSmsNotifier(SmsNotifier):
    """Submit SMS to the SMS centre named by the settings (or log them when none is)."""

    def send_sms(self, phone: str, text: str) -> None:
        config = settings.GRASSROOTS_SMPP
        if not config.get("host"):
            LogSmsNotifier().send_sms(phone, text)
            return
        client = smpplib.client.Client(
            config["host"],
            int(str(config["port"])),
            timeout=float(str(config.get("timeout", 10))),
        )
        ids = []
        client.set_message_sent_handler(lambda pdu: ids.append(pdu.message_id))
        try:
            client.connect()
            client.bind_transceiver(
                system_id=config["system_id"], password=config["password"]
            )
            parts, coding, esm_class = smpplib.gsm.make_parts(text)
            for part in parts:
                client.send_message(
                    source_addr_ton=smpplib.consts.SMPP_TON_ALNUM,
                    source_addr_npi=smpplib.consts.SMPP_NPI_UNK,
                    source_addr=config["source_addr"],
                    dest_addr_ton=smpplib.consts.SMPP_TON_INTL,
                    dest_addr_npi=smpplib.consts.SMPP_NPI_ISDN,
                    destination_addr=msisdn(phone),
                    short_message=part,
                    data_coding=coding,
                    esm_class=esm_class,
                    registered_delivery=False,
                )
                client.read_once(auto_send_enquire_link=False)  # its submit_sm_resp
            client.unbind()
        except (smpplib.exceptions.PDUError, smpplib.exceptions.ConnectionError) as exc:
            raise DeliveryError(f"SMPP: {exc}") from exc
        except OSError as exc:  # refused, reset, timed out
            raise DeliveryError(f"SMPP connection: {exc}") from exc
        finally:
            try:
                client.disconnect()
            except (OSError, smpplib.exceptions.ConnectionError):
                pass  # already closed by the other side
        logger.info("SMS to %s accepted by the SMS centre: %s", phone, ids)
