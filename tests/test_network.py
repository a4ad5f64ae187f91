"""simdedup never touches the network: no downloads, no telemetry, in any command.

Every command runs for real in a subprocess with fresh model and embedding caches (so the
claim-model merge, the first-run ONNX export and the static distillation all happen here), with
the offline switches simdedup sets itself removed from the environment: what is tested is that
simdedup's code sets them. Outbound attempts are counted three ways:

* **audit** (works everywhere): a ``sitecustomize`` on ``PYTHONPATH`` installs an audit hook in
  every Python process and logs each ``socket.connect``/``sendto`` to, and each
  ``getaddrinfo``/``gethostbyname``/``gethostbyaddr`` of, a non-loopback host;
* **proxy** (works everywhere): ``HTTPS_PROXY`` and friends point at a listener on loopback that
  logs every request line (``CONNECT host:443 ...``); native HTTP clients honour it too (ONNX
  Runtime's telemetry uploader is libcurl), which the audit hook cannot see;
* **netns** (where ``unshare -rn`` and ``strace`` work): each command runs in a network
  namespace with only loopback, under ``strace -f``, and every ``connect``/``send*`` syscall to
  a non-loopback address is counted (DNS lookups included).

ONNX Runtime's uploader makes its first attempt about 10 s after ``import onnxruntime``, so
one library process holds the loaded encoder for :data:`HOLD_S` seconds (it runs beside the
other commands). The telemetry store ONNX Runtime writes at import when telemetry is on
(``$XDG_CACHE_HOME/Microsoft/DeveloperTools/.onnxruntime``) is checked for as well.
``pytest -s`` prints the counts.
"""

from __future__ import annotations

import functools
import ipaddress
import os
import re
import shutil
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

# each run holds its processes open for HOLD_S (about 2 minutes in all): CI runs it with -m slow
pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parent.parent
ARTICLES = ROOT / "examples" / "articles"
QUERY = "The two countries agreed to deepen cooperation in trade and investment."
HOLD_S = 15.0  # seconds a library process keeps ONNX Runtime loaded (its uploader starts at ~10)
TIMEOUT_S = 420
# switches simdedup sets (simdedup.offline.SWITCHES), and others that would hide an attempt:
# removed from the commands' environment so that only simdedup's own code can set them
UNSET = (
    "ORT_DISABLE_TELEMETRY",
    "HF_HUB_OFFLINE",
    "HF_HUB_DISABLE_TELEMETRY",
    "TRANSFORMERS_OFFLINE",
    "HF_DATASETS_OFFLINE",
    "DO_NOT_TRACK",
    "NO_PROXY",
    "no_proxy",
    "RAY_USAGE_STATS_ENABLED",
)
PROXY_VARS = ("HTTPS_PROXY", "HTTP_PROXY", "ALL_PROXY", "https_proxy", "http_proxy", "all_proxy")
TRACED = "connect,sendto,sendmsg,sendmmsg"

SITECUSTOMIZE = '''\
"""Test instrument (tests/test_network.py): log every non-loopback network attempt."""
import os
import sys

_DIR = os.environ.get("SIMDEDUP_NETAUDIT_DIR")
_EVENTS = {
    "socket.connect", "socket.sendto", "socket.getaddrinfo", "socket.gethostbyname",
    "socket.gethostbyaddr",
}
_LOCAL_NAMES = {"", "localhost", "localhost.localdomain", "ip6-localhost", "ip6-loopback"}


def _local(host):
    import ipaddress

    if host is None:
        return True
    if isinstance(host, (bytes, bytearray)):
        host = bytes(host).decode("ascii", "replace")
    host = str(host).strip("[]").lower()
    if host in _LOCAL_NAMES or host.endswith(".localhost"):
        return True
    try:
        ip = ipaddress.ip_address(host.split("%")[0])
    except ValueError:
        return False
    if ip.version == 6 and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_loopback or ip.is_unspecified


def _target(event, args):
    """The host of an attempt, or None when it is local (loopback, unix socket)."""
    import socket

    if event in ("socket.connect", "socket.sendto"):
        sock, address = args[0], args[-1]
        if getattr(sock, "family", None) not in (socket.AF_INET, socket.AF_INET6):
            return None
        if not isinstance(address, tuple) or not address:
            return None
        host = address[0]
    else:
        host = args[0]
    return None if _local(host) else repr(host)


def _write(line):
    with open(os.path.join(_DIR, f"{os.getpid()}.log"), "a", encoding="utf-8") as fh:
        fh.write(line + "\\n")


_count = 0


def _hook(event, args):
    global _count
    if event not in _EVENTS:
        return
    try:
        host = _target(event, args)
        if host is None:
            return
        _count += 1
        import traceback

        frames = traceback.extract_stack(limit=8)[:-2]
        where = " <- ".join(f"{f.filename}:{f.lineno}" for f in reversed(frames))
        _write(f"event {event} {host} {args[1:2]!r} at {where}")
    except Exception as exc:  # the instrument must never break the program it watches
        _write(f"event {event} (unparsed: {type(exc).__name__})")


def _at_exit():
    _write(f"exit count={_count}")


if _DIR:
    _write(f"loaded {sys.argv!r}")
    sys.addaudithook(_hook)
    import atexit

    atexit.register(_at_exit)
'''

HOLD_SCRIPT = """\
import sys, time
from simdedup import SentenceTransformerEncoder
started = time.monotonic()
SentenceTransformerEncoder().encode(["Where else was this said?"])  # onnx-int8, cached export
SentenceTransformerEncoder(backend="torch").encode(["And with torch?"])  # the torch backend
time.sleep(max(0.0, float(sys.argv[1]) - (time.monotonic() - started)))
"""


# -- instruments ----------------------------------------------------------------------------


class ProxyListener:
    """A loopback TCP listener that records the first line of every connection made to it."""

    def __init__(self) -> None:
        self._server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._server.bind(("127.0.0.1", 0))
        self._server.listen(64)
        self.url = f"http://127.0.0.1:{self._server.getsockname()[1]}"
        self.requests: list[str] = []
        self._lock = threading.Lock()
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self._server.accept()
            except OSError:  # closed
                return
            threading.Thread(target=self._handle, args=(conn,), daemon=True).start()

    def _handle(self, conn: socket.socket) -> None:
        line = "(connected, sent nothing)"
        try:
            conn.settimeout(5)
            data = conn.recv(4096)
            if data:
                line = data.split(b"\r\n", 1)[0].decode("latin-1")
        except OSError:
            pass
        finally:
            conn.close()
        with self._lock:
            self.requests.append(line)

    def close(self) -> None:
        self._server.close()

    def settled(self) -> list[str]:
        time.sleep(0.3)  # a connection accepted just now is still being read
        with self._lock:
            return list(self.requests)


def audit_events(directory: Path) -> tuple[list[str], int]:
    """The attempts the audit hook logged under ``directory``, and how many processes it ran in."""
    events: list[str] = []
    loaded = 0
    for log in sorted(directory.glob("*.log")):
        for line in log.read_text(encoding="utf-8", errors="replace").splitlines():
            if line.startswith("loaded "):
                loaded += 1
            elif line.startswith("event "):
                events.append(line[len("event ") :])
    return events, loaded


_SYSCALL = re.compile(r"^\d+\s+(?:\d+:\d+:\d+\.\d+\s+)?(connect|sendto|sendmsg|sendmmsg)\(")
_INET = re.compile(
    r"sa_family=AF_INET6?,\s*sin6?_port=htons\((\d+)\).*?"
    r'(?:inet_addr\("([^"]+)"\)|inet_pton\(AF_INET6,\s*"([^"]+)")'
)


def strace_attempts(log: Path) -> list[str]:
    """``connect``/``send*`` syscalls in an ``strace -f`` log to non-loopback IP addresses."""
    found: list[str] = []
    for line in log.read_text(encoding="utf-8", errors="replace").splitlines():
        call = _SYSCALL.match(line)
        if call is None:
            continue
        for port, v4, v6 in _INET.findall(line):
            ip = ipaddress.ip_address(v4 or v6)
            if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
                ip = ip.ipv4_mapped
            if not (ip.is_loopback or ip.is_unspecified):
                found.append(f"{call.group(1)} {ip}:{port}")
    return found


@functools.cache
def _seccomp_bpf() -> list[str]:
    """``--seccomp-bpf`` (strace stops only at the traced calls) where this strace has it."""
    probe = ["strace", "--seccomp-bpf", "-f", "-qq", "-o", os.devnull, "true"]
    return ["--seccomp-bpf"] if subprocess.run(probe, capture_output=True).returncode == 0 else []


def _strace_prefix(log: Path) -> list[str]:
    return ["strace", *_seccomp_bpf(), "-f", "-qq", "-e", f"trace={TRACED}", "-o", str(log)]


# -- running the commands -------------------------------------------------------------------


@dataclass
class Step:
    name: str
    argv: list[str]
    returncode: int = -1
    seconds: float = 0.0
    stderr: str = ""
    audit: list[str] = field(default_factory=list)
    audit_processes: int = 0
    proxy: list[str] = field(default_factory=list)
    strace: list[str] = field(default_factory=list)

    def attempts(self) -> int:
        return len(self.audit) + len(self.proxy) + len(self.strace)


@dataclass
class Run:
    variant: str
    root: Path
    steps: list[Step]
    seconds: float

    @property
    def models(self) -> Path:
        return self.root / "models"

    def table(self) -> str:
        lines = [f"{self.variant}: {self.seconds:.0f} s in all"]
        for s in self.steps:
            counts = f"audit={len(s.audit)} proxy={len(s.proxy)}"
            if self.variant == "netns":
                counts = f"strace={len(s.strace)} audit={len(s.audit)}"
            lines.append(f"  {s.name:<16} rc={s.returncode} {s.seconds:5.1f} s  {counts}")
            lines += [f"      {what}" for what in (s.strace + s.audit + s.proxy)[:5]]
        return "\n".join(lines)


def _steps(root: Path) -> tuple[Step, Step, list[Step]]:
    """The first-run ``index``, the library process that holds the encoder, and the rest."""
    store, cli = str(root / "store"), [sys.executable, "-m", "simdedup"]
    index = Step("index (1st run)", [*cli, "index", str(ARTICLES), "--store", store])
    hold = Step("library hold", [sys.executable, "-c", HOLD_SCRIPT, str(HOLD_S)])
    rest = [
        Step("similar", [*cli, "similar", QUERY, "--store", store]),
        Step("dedup", [*cli, "dedup", "--store", store]),
        Step("talking-points", [*cli, "talking-points", "--store", store]),
        Step("report", [*cli, "report", "--store", store, "-o", str(root / "report.html")]),
        Step("dedup --fast", [*cli, "dedup", str(ARTICLES), "--fast"]),
        Step("check --full", [*cli, "check", "--store", store, "--full"]),
    ]
    return index, hold, rest


def _environment(root: Path, site: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in UNSET and k not in PROXY_VARS}
    for name in ("models", "cache", "xdg"):
        (root / name).mkdir(parents=True, exist_ok=True)
    env.update(
        SIMDEDUP_MODELS_DIR=str(root / "models"),
        SIMDEDUP_CACHE_DIR=str(root / "cache"),
        XDG_CACHE_HOME=str(root / "xdg"),  # ONNX Runtime's telemetry store would land here
        PYTHONPATH=os.pathsep.join([str(site), *filter(None, [env.get("PYTHONPATH")])]),
        PYTHONUNBUFFERED="1",
    )
    return env


def run_all(variant: str, root: Path, site: Path, seed: Path | None = None) -> Run:
    """Run the first-run ``index``, then the other commands while a library process holds the
    encoder; ``variant`` is ``audit`` (audit hook and proxy) or ``netns`` (also ``strace``)."""
    env = _environment(root, site)
    if seed is not None:  # the merged claim model and the static model, not the ONNX exports
        for made in seed.iterdir():
            if not made.name.startswith(".") and "onnx" not in made.name:
                shutil.copytree(made, root / "models" / made.name, copy_function=_link)
    index, hold, rest = _steps(root)
    started = time.perf_counter()
    _finish(_start(variant, index, root, env))
    if index.returncode == 0:  # the rest need the store and the export
        holding = _start(variant, hold, root, env)  # beside the other commands
        for step in rest:
            _finish(_start(variant, step, root, env))
        _finish(holding)
    return Run(variant, root, [index, hold, *rest], time.perf_counter() - started)


def _link(src: str, dst: str) -> None:
    try:
        os.link(src, dst)
    except OSError:
        shutil.copy2(src, dst)


@dataclass
class Launched:
    step: Step
    process: subprocess.Popen[str]
    work: Path
    proxy: ProxyListener | None
    started: float = field(default_factory=time.perf_counter)
    ended: list[float] = field(default_factory=list)

    def __post_init__(self) -> None:  # the end time of a process nobody is waiting on yet
        def watch() -> None:
            self.process.wait()
            self.ended.append(time.perf_counter())

        threading.Thread(target=watch, daemon=True).start()


def _start(variant: str, step: Step, root: Path, env: dict[str, str]) -> Launched:
    slug = re.sub(r"[^a-z0-9]+", "-", step.name.lower()).strip("-")
    work = root / "steps" / slug
    (work / "audit").mkdir(parents=True)
    env = {**env, "SIMDEDUP_NETAUDIT_DIR": str(work / "audit")}
    argv, proxy = step.argv, None
    if variant == "netns":
        argv = ["unshare", "-rn", *_strace_prefix(work / "strace.log"), *argv]
    else:
        proxy = ProxyListener()
        env.update(dict.fromkeys(PROXY_VARS, proxy.url))
    with (work / "stderr.txt").open("w") as stderr:
        process = subprocess.Popen(
            argv,
            cwd=ROOT,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=stderr,
            text=True,
        )
    return Launched(step, process, work, proxy)


def _finish(launched: Launched) -> None:
    step, process, work = launched.step, launched.process, launched.work
    try:
        step.returncode = process.wait(timeout=TIMEOUT_S)
    except subprocess.TimeoutExpired:
        process.kill()
        step.returncode = process.wait()
    while not launched.ended:
        time.sleep(0.01)
    step.seconds = launched.ended[0] - launched.started
    step.stderr = (work / "stderr.txt").read_text(encoding="utf-8", errors="replace")
    step.audit, step.audit_processes = audit_events(work / "audit")
    if launched.proxy is not None:
        step.proxy = launched.proxy.settled()
        launched.proxy.close()
    if (work / "strace.log").is_file():
        step.strace = strace_attempts(work / "strace.log")


def check(run: Run) -> None:
    """Every command succeeded, was watched, and attempted nothing."""
    print("\n" + run.table())
    for step in run.steps:
        assert step.returncode == 0, f"{step.name} failed:\n{step.stderr[-2000:]}\n{run.table()}"
        assert step.audit_processes >= 1, f"{step.name}: the audit hook never loaded"
    total = sum(step.attempts() for step in run.steps)
    assert total == 0, f"{total} outbound network attempts:\n{run.table()}"
    assert (run.root / "report.html").is_file()
    # the first-run work did happen in these processes (the caches started empty or, for the
    # netns run, without any ONNX export)
    made = [p.name for p in run.models.iterdir() if not p.name.startswith(".")]
    for kind in ("-merged-", "-onnx-int8-", "-static"):
        assert any(kind in name for name in made), f"no {kind.strip('-')} model made: {made}"


# -- fixtures -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def work(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("network")


@pytest.fixture(scope="module")
def site(work: Path) -> Path:
    directory = work / "site"
    directory.mkdir()
    (directory / "sitecustomize.py").write_text(SITECUSTOMIZE, encoding="utf-8")
    return directory


def _netns_unavailable(work: Path) -> str | None:
    """Why the netns variant cannot run here, or ``None``; it must also see a canary connect."""
    missing = [tool for tool in ("unshare", "strace") if shutil.which(tool) is None]
    if missing:
        return f"{' and '.join(missing)} not installed"
    log = work / "canary-strace.log"
    canary = "import socket; socket.socket().connect_ex(('192.0.2.1', 9))"
    argv = ["unshare", "-rn", *_strace_prefix(log), sys.executable, "-c", canary]
    probe = subprocess.run(argv, capture_output=True, text=True, timeout=60)
    if probe.returncode != 0:
        why = (probe.stderr.strip().splitlines() or [f"exit {probe.returncode}"])[-1]
        return f"`unshare -rn strace` does not run here: {why}"
    if not log.is_file() or not strace_attempts(log):
        return "strace in a network namespace does not record connect() here"
    return None


@pytest.fixture(scope="module")
def audit_run(work: Path, site: Path) -> Run:
    return run_all("audit", work / "audit", site)


@pytest.fixture(scope="module")
def netns_run(work: Path, site: Path, audit_run: Run) -> Iterator[Run]:
    why = _netns_unavailable(work)
    if why is not None:
        pytest.skip(f"netns variant skipped: {why}")
    # fresh caches, but the merge and the static distillation reused from the audit run: the
    # first-run ONNX export happens again, here
    yield run_all("netns", work / "netns", site, seed=audit_run.models)


# -- tests ----------------------------------------------------------------------------------


def test_instruments_see_an_attempt(work: Path, site: Path) -> None:
    """The audit hook and the proxy listener do count (no packet leaves: a numeric lookup, and
    an HTTPS request to a .invalid host sent to the proxy)."""
    root = work / "canary"
    env = _environment(root, site)
    (root / "audit").mkdir()
    proxy = ProxyListener()
    env.update(dict.fromkeys(PROXY_VARS, proxy.url), SIMDEDUP_NETAUDIT_DIR=str(root / "audit"))
    code = (
        "import socket, urllib.request\n"
        "socket.getaddrinfo('192.0.2.1', 443, flags=socket.AI_NUMERICHOST)\n"
        "try:\n    urllib.request.urlopen('https://canary.invalid/', timeout=10)\n"
        "except OSError:\n    pass\n"
    )
    subprocess.run([sys.executable, "-c", code], env=env, timeout=60, check=True)
    events, loaded = audit_events(root / "audit")
    requests = proxy.settled()
    proxy.close()
    print(f"\ncanary: audit={len(events)} {events}; proxy={len(requests)} {requests}")
    assert loaded == 1 and any("192.0.2.1" in e for e in events), events
    assert any(r.startswith("CONNECT canary.invalid:443") for r in requests), requests


def test_no_network_audit_and_proxy(audit_run: Run) -> None:
    check(audit_run)


def test_no_onnxruntime_telemetry_store(audit_run: Run) -> None:
    """ONNX Runtime with telemetry on writes a device id and an event queue at import."""
    store = audit_run.root / "xdg" / "Microsoft"
    written = sorted(str(p.relative_to(store)) for p in store.rglob("*")) if store.exists() else []
    print(f"\nONNX Runtime telemetry store: {written or 'none'}")
    assert not store.exists(), f"ONNX Runtime telemetry is on: it wrote {written}"


def test_no_network_netns_strace(netns_run: Run) -> None:
    check(netns_run)
    assert not (netns_run.root / "xdg" / "Microsoft").exists()
