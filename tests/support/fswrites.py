"""Find file-system writes in an strace log (services that must never store video, I3/T5)."""
from __future__ import annotations

import re

# strace options that log every call which could create, change or remove a file.
STRACE_WRITES = [
    "strace", "-f", "-qq", "-y", "-s", "0", "-e",
    "trace=open,openat,creat,mkdir,mkdirat,rename,renameat,renameat2,unlink,unlinkat,rmdir,truncate,"
    "link,linkat,symlink,symlinkat,write,pwrite64,writev,pwritev,pwritev2",
]
WRITE_FLAGS = re.compile(r"O_WRONLY|O_RDWR|O_CREAT|O_TRUNC|O_APPEND")
MUTATING = ("creat", "mkdir", "mkdirat", "rename", "renameat", "renameat2", "rmdir", "truncate", "link",
            "linkat", "symlink", "symlinkat")
WRITES = ("write", "pwrite64", "writev", "pwritev", "pwritev2")
EXEMPT = ("/dev/", "/proc/", "/sys/")


def writes_in(trace: str) -> list[str]:
    """Calls that wrote to the file system. Python's tempfile probe at start-up (a file created
    exclusively, written once with the 4 bytes b"blat" and removed at once) is the one thing
    let through: it checks that a temp dir is usable and holds nothing."""
    found, probes, written, removed = [], [], [], set()
    for line in trace.splitlines():
        call = line.split(None, 1)[-1]
        name = call.split("(", 1)[0]
        paths = re.findall(r'"(/[^"]*)"', call) + re.findall(r"<(/[^>]*)>", call)
        if re.search(r"= -1 ", call) or not paths or any(p.startswith(EXEMPT) for p in paths):
            continue
        if name in WRITES:
            written.append(paths[0])
            if paths[0] not in {p for p, _ in probes} or not call.endswith("= 4"):
                found.append(call)
        elif name in ("open", "openat") and WRITE_FLAGS.search(call):
            if "O_EXCL" in call:
                probes.append((paths[0], call))
            else:
                found.append(call)
        elif name in ("unlink", "unlinkat"):
            removed.add(paths[0])
            if paths[0] not in {p for p, _ in probes}:
                found.append(call)
        elif name in MUTATING:
            found.append(call)
    return found + [call for path, call in probes if written.count(path) > 1 or path not in removed]
