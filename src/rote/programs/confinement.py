"""How sandbox workers are confined by the operating system, and what is available here.

Programs are untrusted, and a filter written in Python cannot be the barrier, so each worker
runs under two OS layers when Linux offers them (docs/security.md says why these tools):

- bubblewrap namespaces: no network, no view of other processes, the filesystem reduced to a
  read-only Python installation and an empty private /tmp, an empty environment, no
  capabilities, a uid of nobody;
- seccomp filters, compiled here with libseccomp (`pyseccomp`) and installed by the worker after
  start-up: the worker (host) may not exec, open sockets, trace, mount or create namespaces;
  each program's own process additionally may not open files, fork, or signal anyone.

Where a layer is missing (not Linux, no bubblewrap, user namespaces disabled, no libseccomp)
rote still runs, with what is left and the Python layer, and says so once.
"""

from __future__ import annotations

import errno
import functools
import logging
import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

_LOG = logging.getLogger(__name__)

_UNPRIVILEGED_UID = 65534
"""nobody: the uid programs run as inside the namespaces."""

_HOST_DENIED = (
    *("execve", "execveat", "ptrace", "process_vm_readv", "process_vm_writev"),
    *("socket", "socketpair", "connect", "bind", "listen", "accept", "accept4"),
    *("mount", "umount2", "pivot_root", "chroot", "unshare", "setns", "bpf"),
    *("perf_event_open", "userfaultfd", "keyctl", "add_key", "request_key"),
    *("io_uring_setup", "io_uring_enter", "io_uring_register", "kexec_load"),
    *("kexec_file_load", "init_module", "finit_module", "delete_module", "reboot"),
    *("swapon", "swapoff", "acct", "quotactl", "settimeofday", "clock_settime", "adjtimex"),
    *("syslog", "personality", "name_to_handle_at", "open_by_handle_at", "mknod", "mknodat"),
    *("fanotify_init", "lookup_dcookie", "vhangup", "move_mount", "open_tree", "fsopen"),
    *("fsmount", "fsconfig", "fspick", "mount_setattr"),
)
"""What no worker needs once started: exec, the network, other processes' memory, and the
kernel's administrative and namespace interfaces (io_uring would bypass the rest)."""

_PARTICLE_DENIED = (
    *("fork", "vfork", "clone", "kill", "tkill", "tgkill", "rt_sigqueueinfo"),
    *("rt_tgsigqueueinfo", "pidfd_open", "pidfd_send_signal", "pidfd_getfd"),
    *("open", "openat", "openat2", "creat", "truncate", "ftruncate", "unlink", "unlinkat"),
    *("rename", "renameat", "renameat2", "mkdir", "mkdirat", "rmdir", "link", "linkat"),
    *("symlink", "symlinkat", "chmod", "fchmod", "fchmodat", "chown", "fchown", "lchown"),
    *("fchownat", "setrlimit", "prlimit64", "memfd_create", "prctl", "setsid", "setpgid"),
)
"""What a program's process may not do beyond the host's list: it has its pipes and its
memory, nothing more. clone3 is refused with ENOSYS below, so the C library falls back to
clone, which is refused."""


@dataclass(frozen=True)
class Confinement:
    """The OS layers that workers run under."""

    namespaces: bool
    """Inside bubblewrap: no network, a read-only and reduced filesystem, own PID space."""
    seccomp: bool
    """Seccomp filters on the worker and each program's process."""
    reason: str = ""
    """Why a layer is missing, when one is."""

    @property
    def complete(self) -> bool:
        return self.namespaces and self.seccomp

    def describe(self) -> list[str]:
        """One line per layer, for `rote doctor`."""
        lines = [
            "namespaces: "
            + (
                "on (bubblewrap: no network, read-only Python, private /tmp, own PIDs, uid nobody)"
                if self.namespaces
                else "off"
            ),
            "seccomp: "
            + (
                "on (no exec, sockets or tracing; programs may not open files, fork or signal)"
                if self.seccomp
                else "off"
            ),
            "python layer: on (AST check, curated builtins, module proxies), under OS limits",
            "limits: CPU time per call, memory per program, no files written",
        ]
        if self.reason:
            lines.append(f"missing: {self.reason}")
        return lines


def _bwrap() -> str | None:
    return shutil.which("bwrap") if sys.platform == "linux" else None


def _python() -> Path:
    """The real interpreter (a virtualenv's python is a link to it)."""
    return Path(os.path.realpath(sys.executable))


def _mounts() -> list[str]:
    """bwrap arguments that show the worker the system libraries and the Python installation,
    read-only, and nothing else of the host."""
    args = ["--ro-bind", "/usr", "/usr"]
    for top in ("/lib", "/lib64", "/lib32", "/bin", "/sbin"):
        path = Path(top)
        if path.is_symlink():  # merged /usr
            args += ["--symlink", os.readlink(path), top]
        elif path.is_dir():
            args += ["--ro-bind", top, top]
    roots = {Path(sys.base_prefix), Path(sys.base_exec_prefix), _python().parent}
    for root in sorted(roots):
        if not root.is_relative_to("/usr"):
            args += ["--ro-bind", str(root), str(root)]
    return args


_INSIDE = "/rote/worker.py"
"""Where the worker script appears inside the namespaces."""


def _bwrap_args(binds: list[str]) -> list[str]:
    """bubblewrap up to the command: new namespaces of every kind, uid nobody, no capabilities,
    its own session (no terminal injection), gone with its parent, an empty environment."""
    bwrap = _bwrap()
    assert bwrap is not None
    nobody = str(_UNPRIVILEGED_UID)
    return [
        bwrap,
        *("--unshare-all", "--unshare-user", "--uid", nobody, "--gid", nobody),
        *("--die-with-parent", "--new-session", "--cap-drop", "ALL", "--as-pid-1"),
        *_mounts(),
        *binds,
        *("--proc", "/proc", "--dev", "/dev", "--tmpfs", "/tmp", "--remount-ro", "/"),
        "--chdir",
        "/tmp",
        *("--clearenv", "--setenv", "PYTHONHASHSEED", "0", "--hostname", "rote-sandbox"),
        "--",
    ]


def worker_command(confinement: Confinement, script: Path) -> list[str]:
    """The command line that starts one worker running `script`.

    `-S -s -P`: no site-packages, no user site, no script directory on the path: the worker
    sees the standard library only. (Not `-I`, which would ignore PYTHONHASHSEED.)"""
    python = [str(_python()), "-S", "-s", "-P", "-B"]
    if not confinement.namespaces:
        return [*python, str(script)]
    return [*_bwrap_args(["--ro-bind", str(script), _INSIDE]), *python, _INSIDE]


@functools.cache
def filters() -> tuple[bytes, bytes] | None:
    """Compiled seccomp programs (host, particle), or None without libseccomp."""
    try:
        import pyseccomp as seccomp  # type: ignore[import-untyped]  # no stubs
    except (ImportError, OSError, RuntimeError):  # not installed, or no libseccomp.so
        return None

    def compiled(denied: tuple[str, ...]) -> bytes:
        rules = seccomp.SyscallFilter(seccomp.ALLOW)
        for name in denied:
            rules.add_rule(seccomp.ERRNO(errno.EPERM), name)
        if "clone" in denied:
            rules.add_rule(seccomp.ERRNO(errno.ENOSYS), "clone3")
        with tempfile.TemporaryFile() as out:
            rules.export_bpf(out)
            out.seek(0)
            return out.read()

    try:
        return compiled(_HOST_DENIED), compiled(_HOST_DENIED + _PARTICLE_DENIED)
    except (OSError, RuntimeError, ValueError) as error:
        _LOG.debug("seccomp filters unavailable: %s", error)
        return None


def _namespaces_work() -> str | None:
    """None if bubblewrap can start a confined Python here, else why not (user namespaces can
    be disabled by the kernel, AppArmor or a container's own seccomp profile)."""
    if _bwrap() is None:
        return "bubblewrap (bwrap) is not installed" if sys.platform == "linux" else "not Linux"
    probe = [*_bwrap_args([]), str(_python()), "-S", "-c", "pass"]
    try:
        done = subprocess.run(probe, capture_output=True, timeout=30, check=False)
    except (OSError, subprocess.TimeoutExpired) as error:
        return f"bubblewrap failed to start: {error}"
    if done.returncode != 0:
        said = done.stderr.decode(errors="replace").strip().splitlines()
        return f"bubblewrap cannot confine here ({said[-1] if said else 'no reason given'})"
    return None


@functools.cache
def detect() -> Confinement:
    """The strongest confinement this machine offers; a missing layer is logged once."""
    why_not = _namespaces_work()
    compiled = filters()
    reasons = [why_not] if why_not else []
    if compiled is None:
        reasons.append("libseccomp (pyseccomp) is not available")
    found = Confinement(why_not is None, compiled is not None, "; ".join(reasons))
    if not found.complete:
        _LOG.warning(
            "rote: programs run with weaker confinement (%s); see `rote doctor`", found.reason
        )
    return found
