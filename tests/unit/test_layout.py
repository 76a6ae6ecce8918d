"""The house rules a reader relies on: a module's path is its import name; files and functions stay small."""
from __future__ import annotations

import ast
import importlib
import importlib.util
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("roadcam", "services")
# Modules that act when imported: a service's entry point, alembic's migration environment.
RUNS_ON_IMPORT = ("__main__", "services.api.migrations.env")


def source_modules() -> list[tuple[str, Path]]:
    found = []
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            parts = path.relative_to(ROOT).with_suffix("").parts
            name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
            found.append((name, path))
    return found


def test_every_module_is_found_under_its_path() -> None:
    modules = source_modules()
    assert len(modules) > 100
    for name, path in modules:
        spec = importlib.util.find_spec(name)
        assert spec is not None and spec.origin is not None, name
        assert Path(spec.origin).resolve() == path, f"{name} resolves to {spec.origin}, not {path}"


@pytest.mark.parametrize("name", [n for n, _ in source_modules() if not n.endswith(RUNS_ON_IMPORT)])
def test_module_imports_by_its_path_name(name: str) -> None:
    module = importlib.import_module(name)
    assert Path(module.__file__).resolve().relative_to(ROOT).with_suffix("").parts[:len(name.split("."))] \
        == tuple(name.split("."))


def test_packaging_has_no_package_dir_mapping() -> None:
    for build_file in ("setup.py", "pyproject.toml"):
        assert "package_dir" not in (ROOT / build_file).read_text(), build_file


def _python_files() -> list[Path]:
    return [p for top in (*PACKAGES, "bench", "tests") for p in sorted((ROOT / top).rglob("*.py"))
            if "/v1/" not in p.as_posix()]


def test_files_and_functions_stay_small() -> None:
    too_long = []
    for path in _python_files():
        source = path.read_text()
        if source.count("\n") > 300:
            too_long.append(f"{path.relative_to(ROOT)}: {source.count(chr(10))} lines")
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.end_lineno - node.lineno >= 50:
                too_long.append(f"{path.relative_to(ROOT)}:{node.lineno} {node.name}: "
                                f"{node.end_lineno - node.lineno + 1} lines")
    assert not too_long, "\n".join(too_long)


def test_production_code_never_imports_the_dev_stack() -> None:
    offenders = []
    for path in (ROOT / "services").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            names = [node.module or ""] if isinstance(node, ast.ImportFrom) else \
                [a.name for a in node.names] if isinstance(node, ast.Import) else []
            offenders += [f"{path.relative_to(ROOT)}: {n}" for n in names if n.startswith("roadcam.devstack")]
    assert not offenders, offenders


def test_dev_stack_hooks_return_data_only(tmp_path: Path) -> None:
    from roadcam.common.devhooks import StackInfo
    from roadcam.devstack.stack import service_env

    (tmp_path / "models").mkdir()
    (tmp_path / "models" / "yolov8n_full_integer_quant.tflite").write_bytes(b"x")
    stack = StackInfo(str(tmp_path), "cams.yaml", "127.0.0.1:1", "redis://127.0.0.1:2/0", "127.0.0.1:3", "ca.pem",
                      str(tmp_path / "models"))
    env, setup = service_env("counter", stack, health_port=1)
    assert env["ROADCAM_COUNTER_MODEL"].endswith(".tflite")
    assert not [k for k in env if k.startswith("ROADCAM_COUNTER_S3")]  # T5: no storage credentials
    env, setup = service_env("api", stack, health_port=1)
    password = tmp_path / "api-manager-password.txt"
    assert password.read_text().strip() == env["ROADCAM_API_BOOTSTRAP_MANAGER_PASSWORD"]
    assert password.stat().st_mode & 0o777 == 0o600 and setup.public_url == env["ROADCAM_API_PUBLIC_URL"]
    again, _ = service_env("api", stack, health_port=1)  # a second `roadcam up` keeps the password
    assert again["ROADCAM_API_BOOTSTRAP_MANAGER_PASSWORD"] == env["ROADCAM_API_BOOTSTRAP_MANAGER_PASSWORD"]
    service_env("recorder", stack, health_port=1)
    assert (tmp_path / "secrets" / "roadcam_recorder_master_key").stat().st_mode & 0o777 == 0o600


def test_the_local_stack_gives_the_api_what_disclosure_needs(tmp_path: Path) -> None:
    from roadcam.common.devhooks import StackInfo
    from roadcam.devstack.stack import service_env

    stack = StackInfo(str(tmp_path), "cams.yaml", "127.0.0.1:1", "redis://127.0.0.1:2/0", "127.0.0.1:3", "ca.pem")
    service_env("recorder", stack, health_port=1)
    service_env("api", stack, health_port=1)
    secrets = tmp_path / "secrets"
    assert (secrets / "roadcam_api_master_key").read_text() == (secrets / "roadcam_recorder_master_key").read_text()
    from services.api.disclosure.custody import load_signing_key

    load_signing_key((secrets / "roadcam_api_export_signing_key").read_text())  # a valid Ed25519 seed
    assert len(__import__("base64").b64decode((secrets / "roadcam_api_document_key").read_text())) == 32


def test_each_service_has_one_protobuf_edge() -> None:
    """Only `services/<name>/messages.py` turns a service's objects into bus messages and back."""
    edges: dict[str, list[str]] = {}
    for path in (ROOT / "services").rglob("*.py"):
        tree = ast.parse(path.read_text())
        imports = [node.module or "" for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)]
        imports += [a.name for node in ast.walk(tree) if isinstance(node, ast.Import) for a in node.names]
        if any(name.startswith("roadcam.v1") for name in imports):
            edges.setdefault(path.relative_to(ROOT).parts[1], []).append(path.name)
    assert edges and all(files == ["messages.py"] for files in edges.values()), edges
    assert set(edges) == {"ingest", "anonymizer", "counter", "recorder", "api"}
