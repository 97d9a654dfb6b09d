"""One local Ray cluster per test run, and environments that keep it off the network.

Ray talks to itself over loopback sockets, so the scoring tests' "no socket at
all" shim would stop it: here only connections to non-loopback addresses fail
(in the test process, in the CLI subprocesses and in the cluster's workers).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

LOCAL_ONLY_SITECUSTOMIZE = """
import ipaddress, socket
_connect, _connect_ex = socket.socket.connect, socket.socket.connect_ex
def _allowed(self, address):
    if self.family not in (socket.AF_INET, socket.AF_INET6):
        return True
    host = address[0] if isinstance(address, tuple) else address
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host == "localhost"
def _refuse(self, address):
    raise OSError("modtool test: network access forbidden (%r)" % (address,))
def connect(self, address, *args):
    if not _allowed(self, address):
        _refuse(self, address)
    return _connect(self, address, *args)
def connect_ex(self, address, *args):
    if not _allowed(self, address):
        _refuse(self, address)
    return _connect_ex(self, address, *args)
socket.socket.connect = connect
socket.socket.connect_ex = connect_ex
"""


def local_only_dir(root: Path) -> Path:
    folder = root / "loopback-only"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "sitecustomize.py").write_text(LOCAL_ONLY_SITECUSTOMIZE, encoding="utf-8")
    return folder


def local_only_env(root: Path) -> dict[str, str]:
    """Environment for a subprocess that may reach loopback (Ray) and nothing else."""
    return {
        "PYTHONPATH": str(local_only_dir(root)),
        "HF_HUB_OFFLINE": "1",
        "TORCH_HOME": str(root / "torch-home"),
    }


def start_cluster(root: Path) -> Iterator[str]:
    """Start Ray once (2 CPUs, no dashboard) with workers that cannot leave the
    machine; yield its GCS address (for ``--address`` in subprocesses)."""
    import ray

    shim = str(local_only_dir(root))
    ray.init(
        num_cpus=2,
        include_dashboard=False,
        log_to_driver=False,
        logging_level="ERROR",
        runtime_env={
            "env_vars": {
                "PYTHONPATH": shim,
                "HF_HUB_OFFLINE": "1",
                "TORCH_HOME": str(root / "torch-home"),
            }
        },
    )
    try:
        yield ray.get_runtime_context().gcs_address
    finally:
        ray.shutdown()
