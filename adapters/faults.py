"""Fault injection for the crash tests: ``COLLECTIVE_BOT_FAULT=MOMENT:TEXT`` kills the process with SIGKILL at an
exact moment, where something whose text contains TEXT is at that moment. Read only by the parts that know the
moments: the sender (``before-send``: just before sending an answer, its unit of work committed; ``after-send``:
just after the platform took it, before it is marked sent) and Telegram's long poll (``after-hold``: just after
Telegram confirmed an update held in the inbox, before it was handled)."""

from __future__ import annotations

import logging
import os
import signal
from dataclasses import dataclass

log = logging.getLogger(__name__)

FAULT_VARIABLE = "COLLECTIVE_BOT_FAULT"


@dataclass(frozen=True, slots=True)
class Fault:
    moment: str
    text: str

    def strike(self, moment: str, text: str | None) -> None:
        """Kill the process if this is the moment and ``text`` contains the fault's text."""
        if moment == self.moment and text is not None and self.text in text:
            log.warning("fault injection: killed %s %r", moment, text)
            os.kill(os.getpid(), signal.SIGKILL)


def planned(*moments: str) -> Fault | None:
    """The fault the environment plans at one of ``moments``, if any."""
    moment, _, text = os.environ.get(FAULT_VARIABLE, "").partition(":")
    return Fault(moment, text) if moment in moments and text else None
