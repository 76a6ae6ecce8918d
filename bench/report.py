"""One command, one report: run every benchmark and write Markdown + JSON with each figure's baseline.

    python bench/report.py [--quick] [--out bench/out] [--only ingest,api]

Each benchmark runs as its own process (its CPU figures stay its own) with the arguments below;
`--quick` uses CI-sized runs. The report keeps every benchmark's full output (which prints the
baseline it measured in the same run next to our figure) and extracts the headline figures into
`figures`, each paired with its baseline. A benchmark that fails is reported as failed, never
silently left out.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import re
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
NUMBER = r"([0-9]+(?:\.[0-9]+)?)"


@dataclass(frozen=True)
class Bench:
    name: str
    what: str
    full: list[str]
    quick: list[str]
    figures: dict[str, str] = field(default_factory=dict)  # figure name -> regex with one number group
    baselines: dict[str, str] = field(default_factory=dict)  # figure name -> baseline figure name


BENCHES = [
    Bench("anonymizer", "public view: CPU per camera vs decode+resize+encode; camera -> playable segment",
          ["bench/anonymizer.py"], ["bench/anonymizer.py", "--seconds", "8", "--no-scores"],
          {"baseline_cores_per_camera": rf"baseline \(decode\+resize\+encode\)\s+{NUMBER} cores/camera",
           "motion_gated_cores_per_camera": rf"new \(motion-gated\)\s+{NUMBER} cores/camera"},
          {"motion_gated_cores_per_camera": "baseline_cores_per_camera"}),
    Bench("recorder", "recording: encrypt+upload throughput vs plain upload; service end to end",
          ["bench/recorder.py"], ["bench/recorder.py", "--seconds", "20", "--e2e-cameras", "2", "--e2e-seconds", "10"],
          {"cpu_ms_per_footage_s": rf"= {NUMBER} ms CPU per footage-second",
           "cameras_per_core_4mbit": rf"{NUMBER} cameras per core \(bar",
           "times_sha256_baseline": rf"recorder / baseline = {NUMBER}x"}),
    Bench("ingest", "ingest CPU per camera vs bare demux; camera -> consumer latency",
          ["bench/ingest.py"], ["bench/ingest.py", "--cameras", "2", "--seconds", "10"],
          {"ingest_cores_per_camera_720p": rf"1280x720\s+{NUMBER}", "baseline_demux_cores_720p": rf"1280x720\s+\S+\s+{NUMBER}",
           "latency_p50_ms_720p": rf"1280x720(?:\s+\S+){{3}}\s+{NUMBER}", "latency_p99_ms_720p": rf"1280x720(?:\s+\S+){{4}}\s+{NUMBER}"},
          {"ingest_cores_per_camera_720p": "baseline_demux_cores_720p"}),
    Bench("api", "counts API latency at a request rate vs /healthz",
          ["bench/api.py"], ["bench/api.py", "--seconds", "5", "--also", "", "--days", "7"],
          {"counts_p99_ms": rf"\({NUMBER} ms\)\s*$", "healthz_p99_ms": rf"^healthz .* p99\s+{NUMBER} ms"},
          {"counts_p99_ms": "healthz_p99_ms"}),
    Bench("e2e", "end to end on a real stack: camera -> public HLS (anonymizer histogram), memory per process",
          ["bench/soak.py", "--minutes", "3"], ["bench/soak.py", "--minutes", "1"],
          {"camera_to_public_hls_mean_s": rf"camera -> public HLS mean {NUMBER} s",
           "public_live_share_pct": rf"public view live {NUMBER} %",
           "worst_service_memory_growth_pct": r"worst memory growth of a roadcam service ([+-]?[0-9.]+) %",
           "crossing_to_api_median_s": rf"crossing -> api median {NUMBER} s",
           "crossing_to_api_p95_s": rf"crossing -> api median \S+ s, p95 {NUMBER} s"}),
    Bench("counter", "traffic counter vs Ultralytics ObjectCounter (accuracy, throughput, service CPU)",
          ["bench/counter.py", "--lowres", "--repeat", "1"], ["bench/counter.py", "--repeat", "1", "--skip-service"],
          {"ours_video_s_per_cpu_s": rf"^  ours\s+\S+ decoded frames/s\s+\S+ video-s/s\s+{NUMBER} video-s/CPU-s  worst",
           "objectcounter_same_fps_video_s_per_cpu_s":
               rf"^  ultra@\S+\s+\S+ decoded frames/s\s+\S+ video-s/s\s+{NUMBER} video-s/CPU-s  worst",
           "ours_worst_direction_native_pct": rf"^  ours .* worst accuracy {NUMBER}%",
           "ours_worst_direction_downscaled_pct": rf"--- low resolution[\s\S]*?^  ours .* worst accuracy {NUMBER}%",
           "cpu_ratio_vs_objectcounter_same_fps_downscaled":
               rf"--- low resolution[\s\S]*?ratio ours / ultra@\S+: \S+x video-seconds per wall-second, {NUMBER}x",
           "cpu_ratio_vs_objectcounter_same_fps": rf"throughput ratio ours / ultra@\S+: \S+x video-seconds per wall-second, {NUMBER}x",
           "cpu_ratio_vs_objectcounter_every_frame": rf"throughput ratio ours / ultralytics: \S+x video-seconds per wall-second, {NUMBER}x",
           "service_cpu_ms_per_frame": rf"CPU per analysed frame {NUMBER} ms",
           "service_cores_4x10fps": rf"CPU per analysed frame \S+ ms -> \S+ fps needs {NUMBER} cores"},
          {"ours_video_s_per_cpu_s": "objectcounter_same_fps_video_s_per_cpu_s"}),
    *(Bench(f"capacity_{src}", f"cameras one machine serves with every service running ({src} sources)",
            ["bench/capacity.py", "--source", src, "--max", "5", "--seconds", "60",
             "--out", f"bench/out/capacity_{src}.json"],
            ["bench/capacity.py", "--source", src, "--max", "1", "--seconds", "20",
             "--out", f"bench/out/capacity_{src}.json"],
            {"cameras_kept_up": rf"capacity \({src}.*: {NUMBER} cameras kept up"}) for src in ("720p", "360p")),
]


def run(bench: Bench, quick: bool, timeout: float) -> dict:
    argv = [sys.executable, *(bench.quick if quick else bench.full)]
    started = time.monotonic()
    try:
        done = subprocess.run(argv, cwd=REPO, capture_output=True, text=True, timeout=timeout,
                              env={**os.environ, "PYTHONPATH": str(REPO)})
        output, code = done.stdout + (f"\n[stderr tail]\n{done.stderr[-3000:]}" if done.returncode else ""), done.returncode
    except subprocess.TimeoutExpired as exc:
        output, code = f"{exc.stdout or ''}\n[timed out after {timeout:.0f} s]", -1
    figures = extract(bench, output if isinstance(output, str) else output.decode(errors="replace"))
    return {"name": bench.name, "what": bench.what, "command": " ".join(argv[1:]), "exit_code": code,
            "seconds": round(time.monotonic() - started, 1), "figures": figures, "output": output}


def extract(bench: Bench, output: str) -> dict:
    """Headline figures, each with its baseline figure when the benchmark measured one."""
    found = {}
    for name, pattern in bench.figures.items():
        match = re.search(pattern, output, re.MULTILINE)
        if match:
            found[name] = {"value": float(match.group(match.lastindex))}  # the last group is the figure
    for name, base in bench.baselines.items():
        if name in found and base in found:
            found[name]["baseline"] = found[base]["value"]
            found[name]["ratio"] = round(found[name]["value"] / found[base]["value"], 3) if found[base]["value"] else None
    return found


def markdown(report: dict) -> str:
    lines = [f"# roadcam benchmark report ({'quick' if report['quick'] else 'full'})", "",
             f"{report['started']} on {report['machine']}; {report['cpus']} CPUs; load average before "
             f"{report['load_before']}", "", "| benchmark | exit | seconds | figures |", "| --- | --- | --- | --- |"]
    for r in report["results"]:
        figs = "; ".join(f"{k} {v['value']:g}" + (f" (baseline {v['baseline']:g}, x{v['ratio']})" if "baseline" in v else "")
                         for k, v in r["figures"].items()) or "see output"
        lines.append(f"| {r['name']} | {r['exit_code']} | {r['seconds']} | {figs} |")
    for r in report["results"]:
        lines += ["", f"## {r['name']}: {r['what']}", "", f"`python {r['command']}` (exit {r['exit_code']}, {r['seconds']} s)",
                  "", "```", r["output"].rstrip()[-6000:], "```"]
    return "\n".join(lines) + "\n"


def rewrite(saved: Path, out: Path) -> int:
    report = json.loads(saved.read_text())
    benches = {b.name: b for b in BENCHES}
    for result in report["results"]:
        result["figures"] = extract(benches[result["name"]], result["output"])
    out.mkdir(parents=True, exist_ok=True)
    (out / "report.json").write_text(json.dumps(report, indent=2, ensure_ascii=False))
    (out / "report.md").write_text(markdown(report))
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="CI-sized runs")
    parser.add_argument("--out", type=Path, default=REPO / "bench" / "out")
    parser.add_argument("--only", default="", help="comma-separated benchmark names")
    parser.add_argument("--timeout", type=float, default=1800, help="seconds per benchmark")
    parser.add_argument("--from-json", type=Path, help="re-extract figures and rewrite the Markdown of a saved report")
    args = parser.parse_args()
    if args.from_json:
        return rewrite(args.from_json, args.out)
    only = {n for n in args.only.split(",") if n}
    report = {"quick": args.quick, "started": time.strftime("%Y-%m-%d %H:%M:%S %Z"), "machine": platform.platform(),
              "cpus": os.cpu_count(), "load_before": [round(x, 2) for x in os.getloadavg()], "results": []}
    args.out.mkdir(parents=True, exist_ok=True)
    for bench in BENCHES:
        if only and bench.name not in only:
            continue
        sys.stderr.write(f"running {bench.name} ...\n")
        report["results"].append(run(bench, args.quick, args.timeout))
        sys.stderr.write(f"  exit {report['results'][-1]['exit_code']} in {report['results'][-1]['seconds']} s\n")
        # Written after every benchmark: an interrupted run still leaves what it measured.
        (args.out / "report.json").write_text(json.dumps(report, indent=2, ensure_ascii=False))
        (args.out / "report.md").write_text(markdown(report))
    sys.stderr.write(f"wrote {args.out / 'report.md'} and {args.out / 'report.json'}\n")
    return 0 if all(r["exit_code"] == 0 for r in report["results"]) else 1


if __name__ == "__main__":
    sys.exit(main())
