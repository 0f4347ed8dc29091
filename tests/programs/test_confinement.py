"""The OS layer alone contains raw Python: the Python layer off, every attack fails.

Run as this user, with each OS layer on its own, and (as root) as an ordinary user, which is
how most people run rote: then only the OS layer stands between a program and their files.
"""

from __future__ import annotations

import importlib.util
import json
import os
import pwd
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from rote.cli import main
from rote.programs import confinement as os_layer

from . import attacks

FULL = os_layer.Confinement(namespaces=True, seccomp=True)
NAMESPACES_ONLY = os_layer.Confinement(namespaces=True, seccomp=False)
SECCOMP_ONLY = os_layer.Confinement(namespaces=False, seccomp=True)
ORDINARY_USER = "rote-probe"

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="the OS layer is Linux's")


def test_this_machine_offers_the_whole_os_layer() -> None:
    # The Makefile installs bubblewrap and libseccomp: a fresh clone must get both, or the
    # tests below would only show a weaker sandbox.
    assert os_layer.detect().complete, os_layer.detect().reason


def contained(outcomes: list[attacks.Outcome], expected: int = 14) -> None:
    escaped = [o for o in outcomes if not o.contained]
    assert escaped == [], escaped
    assert len(outcomes) == expected


def test_the_os_layer_contains_every_attack() -> None:
    outcomes = attacks.run(FULL)
    contained(outcomes)
    # Both layers hold, so the first to act says why: seccomp refuses with EPERM.
    by_name = {o.attack: o.detail for o in outcomes}
    assert "PermissionError" in by_name["read a file outside"]
    assert "MemoryError" in by_name["exhaust memory"]


def test_seccomp_alone_contains_every_attack() -> None:
    contained(attacks.run(SECCOMP_ONLY))


def test_namespaces_alone_contain_what_they_are_for() -> None:
    # Without seccomp a program may fork, exec and signal inside its namespaces: it reaches
    # nothing outside (the evidence shows), but its siblings, and where rote runs as root no
    # process limit holds a fork bomb, so those two are seccomp's to stop (and not tried).
    skip = frozenset({"fork bomb", attacks.SIBLING})
    contained(attacks.run(NAMESPACES_ONLY, skip), expected=12)


def _ordinary_user() -> str:
    """An unprivileged account to run rote as (created once; CI runs as root)."""
    try:
        pwd.getpwnam(ORDINARY_USER)
    except KeyError:
        subprocess.run(
            ["useradd", "--system", "--no-create-home", "--shell", "/sbin/nologin", ORDINARY_USER],
            check=True,
        )
    return ORDINARY_USER


DRIVER = """
import json, sys, types
root = sys.argv[1]
sys.path.insert(0, root)
package = types.ModuleType("rote")
package.__path__ = [root + "/rote"]
sys.modules["rote"] = package  # rote.programs only: the rest of rote needs the venv
import attacks
from rote.programs.confinement import detect
confinement = detect()
print(json.dumps({"complete": confinement.complete, "reason": confinement.reason,
                  "outcomes": [o._asdict() for o in attacks.run(confinement)]}))
"""


@pytest.mark.skipif(os.geteuid() != 0, reason="the suite already runs as an ordinary user")
def test_as_an_ordinary_user_the_os_layer_contains_every_attack(
    request: pytest.FixtureRequest,
) -> None:
    """rote run by an ordinary user: the attacks aim at that user's files and processes. The
    user cannot read root's virtualenv, so this runs the system Python on a copy of
    rote.programs (standard library only) and of pyseccomp."""
    python = shutil.which("python3", path="/usr/bin:/bin")
    if python is None:
        pytest.skip("no system python3 for the ordinary user")
    user = _ordinary_user()
    root = Path(tempfile.mkdtemp(prefix="rote-probe-"))
    request.addfinalizer(lambda: shutil.rmtree(root, ignore_errors=True))
    shutil.copytree(Path(attacks.__file__).parents[2] / "src" / "rote", root / "rote")
    seccomp = importlib.util.find_spec("pyseccomp")
    assert seccomp is not None and seccomp.origin is not None
    shutil.copy(seccomp.origin, root / "pyseccomp.py")
    shutil.copy(attacks.__file__, root / "attacks.py")
    (root / "driver.py").write_text(DRIVER)
    for path in [root, *root.rglob("*")]:
        path.chmod(0o755 if path.is_dir() else 0o644)
    done = subprocess.run(
        [
            *("setpriv", f"--reuid={user}", f"--regid={user}", "--clear-groups", "--reset-env"),
            *(python, "-S", str(root / "driver.py"), str(root)),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        cwd=root,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    report = json.loads(done.stdout)
    assert report["complete"], report["reason"]
    contained([attacks.Outcome(**o) for o in report["outcomes"]])


def test_without_bubblewrap_rote_runs_and_says_so_once(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    monkeypatch.setattr(os_layer, "_bwrap", lambda: None)
    os_layer.detect.cache_clear()
    try:
        weaker = os_layer.detect()
        os_layer.detect()
        assert weaker == os_layer.Confinement(
            namespaces=False, seccomp=True, reason="bubblewrap (bwrap) is not installed"
        )
        said = [record.getMessage() for record in caplog.records]
        assert said == [
            "rote: programs run with weaker confinement (bubblewrap (bwrap) is not installed); "
            "see `rote doctor`"
        ]
        assert "namespaces: off" in weaker.describe()
        assert main(["doctor"]) == 0
        printed = capsys.readouterr().out
        assert "namespaces: off" in printed and "missing: bubblewrap" in printed
        assert "sandbox check: a program ran" in printed
    finally:
        os_layer.detect.cache_clear()


def test_doctor_reports_the_whole_os_layer(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["doctor"]) == 0
    printed = capsys.readouterr().out
    assert "namespaces: on" in printed and "seccomp: on" in printed and "missing" not in printed
