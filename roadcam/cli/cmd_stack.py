"""`roadcam up | down | status`: the local stack on 127.0.0.1."""
from __future__ import annotations

import argparse
import json
import os
import signal
import sys
import time
from pathlib import Path

import yaml


def roadcam_home() -> Path:
    return Path(os.environ.get("ROADCAM_HOME", Path.home() / ".roadcam"))


def register(subparsers: argparse._SubParsersAction) -> None:
    up = subparsers.add_parser("up", help="run the whole stack locally (Ctrl-C stops it)")
    up.add_argument("--config", type=Path, help="camera configuration YAML")
    up.add_argument("--source", action="append", default=[], help="file or RTSP URL; repeatable")
    up.add_argument("--run-dir", type=Path, help="where logs and state go (default ~/.roadcam/runs/...)")
    up.add_argument(
        "--services", default="ingest,anonymizer,counter,recorder,api",
        help="comma-separated roadcam services to start (default: all that are installed)",
    )
    up.add_argument(
        "--models", type=Path, default=os.environ.get("ROADCAM_MODELS_DIR"),
        help="folder with model files (yolov8n*.tflite/.pt/.onnx, face_detection_yunet*.onnx); "
             "without it the public view stays paused and counting reports a missing model",
    )
    up.add_argument(
        "--roll-minutes", type=float, default=10.0,
        help="re-create the video and health topics this often, so the in-memory broker stays "
             "small (0 = never); consumers resume on the new topic",
    )
    up.add_argument("--memory-interval", type=float, default=60.0, help="seconds between memory.csv rows")
    up.set_defaults(handler=cmd_up)
    down = subparsers.add_parser("down", help="stop the stack started by `roadcam up`")
    down.set_defaults(handler=cmd_down)
    status = subparsers.add_parser("status", help="URLs, processes and memory of the running stack")
    status.set_defaults(handler=cmd_status)


def sample_config(run_dir: Path, sources: list[str]) -> dict:
    """Cameras for --source arguments, or one generated test-pattern camera."""
    from roadcam.devstack.sources import source_camera
    from roadcam.devstack.testpattern import write_test_pattern

    notice = {"operator": "roadcam local demo", "purpose": "道路管理・交通量調査 (demo)", "contact": "n/a"}
    cameras = []
    if not sources:
        pattern = write_test_pattern(run_dir / "media" / "test-pattern.mp4")
        cameras.append({
            "id": "sample-1", "name": "Test pattern", "source": {"url": str(pattern), "loop": True},
            "frame_size": [640, 360],
            "counting_lines": [{"id": "center", "start": [320, 100], "end": [320, 260], "pos_name": "east", "neg_name": "west"}],
        })
    cameras += [source_camera(i, url) for i, url in enumerate(sources, start=1)]
    for cam in cameras:
        cam.update({
            "purposes": ["road_management", "traffic_survey", "crime_prevention"],
            "department": "local", "notice": notice, "recording": {"enabled": True},
        })
    return {"version": 1, "cameras": cameras}


def prepare_run_dir(requested: Path | None) -> Path:
    run_dir = requested or roadcam_home() / "runs" / time.strftime("%Y%m%d-%H%M%S")
    run_dir.mkdir(parents=True, exist_ok=True)
    current = roadcam_home() / "current"
    current.parent.mkdir(parents=True, exist_ok=True)
    if current.is_symlink() or current.exists():
        current.unlink()
    current.symlink_to(run_dir.resolve())
    return run_dir.resolve()


def cmd_up(args: argparse.Namespace) -> int:
    from roadcam.common.camconfig import load_config, parse_config
    from roadcam.common.errors import ConfigError
    from roadcam.devstack.stack import SERVICES, LocalStack

    if args.config and args.source:
        raise ConfigError("give either --config or --source, not both")
    run_dir = prepare_run_dir(args.run_dir)
    if args.config:
        load_config(args.config)  # fail before starting anything
        config_file = args.config.resolve()
    else:
        raw = sample_config(run_dir, args.source)
        parse_config(raw, "generated configuration")
        config_file = run_dir / "cameras.yaml"
        config_file.write_text(yaml.safe_dump(raw, allow_unicode=True, sort_keys=False))
    services = tuple(s.strip() for s in args.services.split(",") if s.strip())
    unknown = set(services) - set(SERVICES)
    if unknown:
        raise ConfigError(f"unknown services {sorted(unknown)}; choose from {', '.join(SERVICES)}")
    if args.models and not args.models.is_dir():
        raise ConfigError(f"--models {args.models}: not a folder")
    args.models = _models_dir(args.models)
    stack = LocalStack(run_dir, config_file, services, args.models.resolve() if args.models else None)
    stopping = {"flag": False}
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stopping.update(flag=True))
    stack.start()
    out = sys.stdout
    out.write(f"roadcam is up (run dir {run_dir}, cameras from {config_file})\n")
    for name, url in stack.urls.items():
        out.write(f"  {name:<11} {url}\n")
    for name, reason in stack.failed.items():
        out.write(f"  {name:<11} FAILED to start: {reason} (see {run_dir / 'logs' / (name + '.log')})\n")
    _tell_first_steps(out, stack, run_dir, args.models)
    out.write("Ctrl-C or `roadcam down` stops it.\n")
    out.flush()
    try:
        _supervise(stack, run_dir, args.memory_interval, args.roll_minutes * 60, stopping)
    finally:
        stack.stop()
        out.write("roadcam is down\n")
    return 0


def _models_dir(given: Path | None) -> Path | None:
    """--models, else the folder `roadcam models fetch` fills, when it exists."""
    from roadcam.devstack.models import DEFAULT_DIR

    return given or (DEFAULT_DIR if DEFAULT_DIR.is_dir() else None)


def _tell_first_steps(out, stack, run_dir: Path, models: Path | None) -> None:
    """The console and how to sign in; what is missing and how to get it (never a silent slate)."""
    from roadcam.devstack.models import explain_missing, missing

    api = stack.urls.get("api")
    if api:
        out.write(f"  console     {api.rstrip('/')}/console  (user admin, password in "
                  f"{run_dir / 'api-manager-password.txt'})\n")
    needs = missing(models)
    if needs:
        out.write(explain_missing(models, needs) + "\n")


def _supervise(stack, run_dir: Path, interval: float, roll_every: float, stopping: dict) -> None:
    from roadcam.devstack.memory import MemoryLog
    from roadcam.devstack.supervisor import Supervisor

    memory = MemoryLog(run_dir / "memory.csv", [c.name for c in stack.children])
    supervisor = Supervisor(stack.children)
    started, next_sample = time.monotonic(), 0.0
    next_roll = roll_every or float("inf")
    while not stopping["flag"]:
        now = time.monotonic() - started
        if now >= next_roll:
            stack.roll_ephemeral_topics()
            next_roll = now + roll_every
        if now >= next_sample:
            memory.sample(now, {c.name: c.pid for c in stack.children})
            next_sample = now + interval
        messages = supervisor.tick(time.monotonic())
        for message in messages:
            sys.stderr.write(f"roadcam: {message}\n")
        if messages:
            stack.write_state(supervisor.state())
        time.sleep(0.5)


def _state() -> dict:
    path = roadcam_home() / "current" / "stack.json"
    if not path.exists():
        raise SystemExit("roadcam: no stack is running (no ~/.roadcam/current/stack.json)")
    return json.loads(path.read_text())


def cmd_down(args: argparse.Namespace) -> int:
    state = _state()
    pids = [state["up_pid"], *state["children"].values()]
    for pid in pids[:1]:
        try:
            os.kill(pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and any(_alive(p) for p in pids):
        time.sleep(0.2)
    for pid in pids:  # anything `up` could not stop
        if _alive(pid):
            os.kill(pid, signal.SIGKILL)
    sys.stdout.write("roadcam is down\n")
    return 0


def cmd_status(args: argparse.Namespace) -> int:
    from roadcam.devstack.memory import stack_rss

    state = _state()
    rss = stack_rss(state["children"])
    for name, url in state["urls"].items():
        sys.stdout.write(f"  {name:<11} {url}\n")
    restarts = state.get("restarts", {})
    for name, pid in state["children"].items():
        info = restarts.get(name, {})
        loop = "  CRASH LOOP" if info.get("crash_loop") else ""
        sys.stdout.write(f"  {name:<11} pid {pid:<7} {'up' if _alive(pid) else 'DOWN':<5} {rss[name] / 1e6:7.1f} MB"
                         f"  restarts {info.get('restarts', 0)}{loop}\n")
    sys.stdout.write(f"  total RSS {sum(rss.values()) / 1e6:.1f} MB\n")
    return 0


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
