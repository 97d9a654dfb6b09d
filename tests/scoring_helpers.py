"""Helpers shared by the scoring tests (no fixtures here)."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest


def forbid_sockets(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    """Make every outgoing connection fail loudly; return the list of attempts."""
    attempts: list[object] = []

    def refuse(self: socket.socket, address: object, *args: object) -> None:
        attempts.append(address)
        raise OSError(f"test forbids network access (tried {address!r})")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    return attempts


def write_thread(path: Path, bodies: list[str], title: str = "A test thread") -> Path:
    """A plain-text thread document with one top-level comment per body."""
    lines = [title, "", "An article body.", ""]
    for number, body in enumerate(bodies, 1):
        lines += [f"  {number}. user{number} says", "", f"    {body}", ""]
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


SITECUSTOMIZE = """
import socket
def _refuse(self, address, *args):
    raise OSError("modtool test: network access forbidden (%r)" % (address,))
socket.socket.connect = _refuse
socket.socket.connect_ex = _refuse
"""


def no_network_env(tmp_path: Path) -> dict[str, str]:
    """Environment for a CLI subprocess that cannot open a socket (sitecustomize)."""
    folder = tmp_path / "nonet"
    folder.mkdir(exist_ok=True)
    (folder / "sitecustomize.py").write_text(SITECUSTOMIZE, encoding="utf-8")
    return {
        "PYTHONPATH": str(folder),
        "HF_HUB_OFFLINE": "1",
        "TORCH_HOME": str(tmp_path / "torch-home"),
    }


def go_offline(monkeypatch: pytest.MonkeyPatch) -> None:
    """No Hugging Face hub and no socket for the rest of the test."""
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    forbid_sockets(monkeypatch)


def tiny_scorer(tiny_detoxify, **options):
    """A Detoxify scorer on the tiny test checkpoint (``tests/tiny_detoxify.py``)."""
    from modtool.scoring import make_scorer

    return make_scorer(
        "detoxify", checkpoint=tiny_detoxify.checkpoint, hf_config=tiny_detoxify.hf_dir, **options
    )
