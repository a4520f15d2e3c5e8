import asyncio
import os
import signal
import sys

from grassroots.runtime.processes import Process
from grassroots.runtime.supervisor import Supervisor

TICKER = "import time, sys\nprint('ready', flush=True)\nwhile True: time.sleep(0.05)"
CRASHER = "import sys; print('crashing', flush=True); sys.exit(3)"
STUBBORN = (
    "import signal, time\nsignal.signal(signal.SIGTERM, signal.SIG_IGN)\n"
    "print('ready', flush=True)\nwhile True: time.sleep(0.05)"
)


def run_for(processes, seconds):
    lines: list[str] = []
    supervisor = Supervisor(processes, write=lines.append)

    async def main():
        task = asyncio.create_task(supervisor.run())
        await asyncio.sleep(seconds)
        os.kill(os.getpid(), signal.SIGINT)
        await task

    asyncio.run(main())
    return supervisor, lines


def test_output_is_prefixed_and_ctrl_c_stops_every_process():
    supervisor, lines = run_for(
        [
            Process("web", [sys.executable, "-c", TICKER]),
            Process("worker", [sys.executable, "-c", TICKER]),
        ],
        1.5,
    )
    assert "   web | ready" in lines and "worker | ready" in lines  # names aligned
    assert lines[-1] == "All processes stopped."
    assert all(child.returncode is not None for child in supervisor.children.values())


def test_a_crashed_process_is_restarted():
    _supervisor, lines = run_for(
        [Process("gateway", [sys.executable, "-c", CRASHER])], 4
    )
    assert lines.count("gateway | crashing") >= 2  # started, crashed, started again
    assert any("exited with code 3; restarting" in line for line in lines)


def test_a_process_that_ignores_sigterm_is_killed_after_its_timeout():
    supervisor, lines = run_for(
        [Process("stubborn", [sys.executable, "-c", STUBBORN], stop_timeout_s=0.5)], 1.5
    )
    assert any("killing it" in line for line in lines)
    assert supervisor.children["stubborn"].returncode == -signal.SIGKILL
