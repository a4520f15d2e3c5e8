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


def run_for(processes, seconds, state_file=None):
    lines: list[str] = []
    supervisor = Supervisor(processes, write=lines.append, state_file=state_file)

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


def test_what_crashed_is_written_down_for_grassroots_status_and_the_console(
    tmp_path, settings
):
    import json

    from grassroots.core import health

    state = tmp_path / "run" / "supervisor.json"
    seen = {}

    def watch():
        # Read while the supervisor runs: a crashing gateway, a running web.
        import time

        deadline = time.monotonic() + 5.5
        while time.monotonic() < deadline:
            time.sleep(0.2)
            if not state.exists():
                continue
            seen.update(json.loads(state.read_text()))
            if seen["children"].get("gateway", {}).get("restarts", 0) >= 1:
                break
        settings.GRASSROOTS_RUN_DIR = tmp_path / "run"
        seen["checks"] = {c.name: c.ok for c in health.check_supervised()}

    import threading

    watcher = threading.Thread(target=watch)
    watcher.start()
    run_for(
        [
            Process("web", [sys.executable, "-c", TICKER]),
            Process("gateway", [sys.executable, "-c", CRASHER]),
        ],
        6,
        state_file=state,
    )
    watcher.join()
    children = seen["children"]
    assert children["web"]["state"] == "running"
    assert children["gateway"]["restarts"] >= 1
    assert seen["checks"]["run:web"] is True
    assert seen["checks"]["run:gateway"] is False
    final = json.loads(state.read_text())["children"]
    assert final["web"]["state"] == "stopped"
