"""Test fixtures for imagemill on many machines, all on this one: a throwaway PostgreSQL server,
network-namespace hosts (with packet loss or a cut link on demand) and a two-node Slurm cluster.

Each fixture is a context manager that creates what it needs and removes it on exit, also when the
test fails. They need root (network namespaces, runuser, Slurm daemons) and the packages of
`scripts/install-deps.sh --test`. Addresses come from 198.51.100.0/24 (TEST-NET-2), which no
interface of the machine uses; nothing else is ever a target.
"""
import contextlib
import glob
import os
import shutil
import socket
import subprocess
import tempfile
import time

TEST_NET = "198.51.100"


def _run(*cmd, check=True, **kw):
    p = subprocess.run(list(cmd), capture_output=True, text=True, **kw)
    if check and p.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} exited {p.returncode}:\n{p.stdout}{p.stderr}")
    return p


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def pg_bindir():
    dirs = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"),
                  key=lambda p: int(p.split("/")[4]))
    if not dirs:
        raise RuntimeError("PostgreSQL is not installed; run scripts/install-deps.sh --test")
    return os.path.dirname(dirs[-1])


class Postgres:
    """A PostgreSQL server in a temporary folder, listening on TCP at `listen` addresses
    (127.0.0.1 and, for namespace hosts, the bridge address), superuser `imagemill`, trust
    authentication. As root it runs as user postgres (it refuses root). `settings` are more
    server settings ({"wal_writer_delay": "10s"})."""

    def __init__(self, listen=("127.0.0.1",), durable=False, settings=None):
        self.bin = pg_bindir()
        self.listen = list(listen)
        self.durable = durable
        self.settings = dict(settings or {})
        self.port = _free_port()
        self.dir = tempfile.mkdtemp(prefix="imagemill-pg-")
        self.running = False

    def _as_server(self, *cmd):
        prefix = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        return _run(*prefix, *cmd)

    def __enter__(self):
        if os.geteuid() == 0:
            os.chmod(self.dir, 0o711)
            shutil.chown(self.dir, "postgres", "postgres")
        self._as_server(f"{self.bin}/initdb", "-D", f"{self.dir}/data", "-A", "trust",
                        "-U", "imagemill", "-E", "UTF8", "--locale=C", "--no-sync")
        # The namespace hosts connect from the test network.
        with open(f"{self.dir}/data/pg_hba.conf", "a") as f:
            f.write(f"host all all {TEST_NET}.0/24 trust\n")
        self.start()
        return self

    def __exit__(self, *exc):
        if self.running:
            self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)

    def start(self):
        opts = (f"-p {self.port} -k {self.dir} -c listen_addresses={','.join(self.listen)} "
                "-c max_connections=100")
        if not self.durable:
            opts += " -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        opts += "".join(f" -c {k}={v}" for k, v in self.settings.items())
        self._as_server(f"{self.bin}/pg_ctl", "-D", f"{self.dir}/data", "-o", opts,
                        "-l", f"{self.dir}/server.log", "-w", "-t", "60", "start")
        self.running = True

    def stop(self, mode="immediate"):
        self._as_server(f"{self.bin}/pg_ctl", "-D", f"{self.dir}/data", "-m", mode, "-w", "stop")
        self.running = False

    def uri(self, db="postgres", host=None):
        return f"postgresql://imagemill@{host or self.listen[0]}:{self.port}/{db}"

    def psql(self, sql, db="postgres"):
        p = _run(f"{self.bin}/psql", "-X", "-At", "-v", "ON_ERROR_STOP=1", "-d", self.uri(db),
                 "-c", sql, env={**os.environ, "PGOPTIONS": "-c client_min_messages=warning"})
        return p.stdout.strip()

    def create_database(self, db):
        self.psql(f'CREATE DATABASE "{db}"')
        return self.uri(db)


class Bridge:
    """A Linux bridge holding TEST_NET.1/24 on this machine: the network the namespace hosts
    share, and the address they reach servers on this machine by."""

    def __init__(self, name="imtest0"):
        self.name = name
        self.address = f"{TEST_NET}.1"

    def __enter__(self):
        _run("ip", "link", "del", self.name, check=False)
        _run("ip", "link", "add", self.name, "type", "bridge")
        _run("ip", "addr", "add", f"{self.address}/24", "dev", self.name)
        _run("ip", "link", "set", self.name, "up")
        return self

    def __exit__(self, *exc):
        _run("ip", "link", "del", self.name, check=False)


class Host:
    """A network namespace standing for another machine: a veth pair into `bridge`, address
    TEST_NET.<number>/24, loopback up. Commands run inside it with `run` or `popen`."""

    def __init__(self, bridge, number, name=None):
        self.bridge = bridge
        self.address = f"{TEST_NET}.{number}"
        self.ns = name or f"imtest{number}"
        self.veth = f"imv{number}"

    def __enter__(self):
        _run("ip", "netns", "del", self.ns, check=False)
        _run("ip", "link", "del", self.veth, check=False)
        _run("ip", "netns", "add", self.ns)
        _run("ip", "link", "add", self.veth, "type", "veth", "peer", "name", "eth0",
             "netns", self.ns)
        _run("ip", "link", "set", self.veth, "master", self.bridge.name, "up")
        self.exec("ip", "addr", "add", f"{self.address}/24", "dev", "eth0")
        self.exec("ip", "link", "set", "eth0", "up")
        self.exec("ip", "link", "set", "lo", "up")
        return self

    def __exit__(self, *exc):
        _run("ip", "netns", "del", self.ns, check=False)
        _run("ip", "link", "del", self.veth, check=False)

    def exec(self, *cmd, check=True, **kw):
        return _run("ip", "netns", "exec", self.ns, *cmd, check=check, **kw)

    def popen(self, cmd, **kw):
        return subprocess.Popen(["ip", "netns", "exec", self.ns, *cmd], **kw)

    def lose_packets(self, percent):
        """Drops `percent` % of the packets this host sends (nftables; the kernel has no netem)."""
        self.exec("nft", "add", "table", "inet", "imtest")
        self.exec("nft", "add", "chain", "inet", "imtest", "out",
                  "{ type filter hook output priority 0 ; }")
        self.exec("nft", "add", "rule", "inet", "imtest", "out", "numgen", "random", "mod",
                  "100", "<", str(percent), "counter", "drop")

    def dropped(self):
        """Packets lose_packets() has dropped so far."""
        out = self.exec("nft", "list", "chain", "inet", "imtest", "out").stdout
        words = out.split()
        return int(words[words.index("packets") + 1]) if "packets" in words else 0

    def heal(self):
        self.exec("nft", "delete", "table", "inet", "imtest", check=False)
        _run("ip", "link", "set", self.veth, "up")
        # Addresses that went unanswered during a cut would stay unreachable until their
        # neighbour entries time out.
        self.exec("ip", "neigh", "flush", "dev", "eth0", check=False)
        _run("ip", "neigh", "flush", "dev", self.bridge.name, check=False)

    def cut(self):
        """A partition: the host's link goes down until heal()."""
        _run("ip", "link", "set", self.veth, "down")


SLURM_CONF = """ClusterName=imtest
SlurmctldHost=localhost
SlurmctldPort={ctld_port}
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SchedulerType=sched/builtin
ReturnToService=2
StateSaveLocation={dir}/state
SlurmdSpoolDir={dir}/spool/%n
SlurmctldPidFile={dir}/slurmctld.pid
SlurmdPidFile={dir}/slurmd-%n.pid
SlurmctldLogFile={dir}/slurmctld.log
SlurmdLogFile={dir}/slurmd-%n.log
MpiDefault=none
JobCompType=jobcomp/none
AccountingStorageType=accounting_storage/none
NodeName=n1 NodeHostname=localhost NodeAddr=127.0.0.1 Port={n1_port} CPUs=1 State=UNKNOWN
NodeName=n2 NodeHostname=localhost NodeAddr=127.0.0.1 Port={n2_port} CPUs=1 State=UNKNOWN
PartitionName=all Nodes=n1,n2 Default=YES MaxTime=INFINITE State=UP
"""


class Slurm:
    """A two-node Slurm cluster (n1, n2) on this machine: munged, slurmctld and two slurmd on
    loopback ports, configured in a temporary folder. `sbatch` etc. run with SLURM_CONF set."""

    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="imagemill-slurm-")
        self.conf = os.path.join(self.dir, "slurm.conf")
        self.env = {**os.environ, "SLURM_CONF": self.conf}
        self.procs = []
        self.munge_socket = os.path.join(self.dir, "munge", "munge.socket.2")

    def __enter__(self):
        try:
            self._start()
        except BaseException:
            self.__exit__()
            raise
        return self

    def _start(self):
        for sub in ("state", "spool/n1", "spool/n2", "munge"):
            os.makedirs(os.path.join(self.dir, sub))
        key = os.path.join(self.dir, "munge", "munge.key")
        with open("/dev/urandom", "rb") as r, open(key, "wb") as w:
            w.write(r.read(1024))
        os.chmod(key, 0o400)
        # munged runs as root here (--force): its key and socket are this cluster's own.
        self.procs.append(subprocess.Popen(
            ["munged", "--foreground", "--force", f"--key-file={key}",
             f"--socket={self.munge_socket}", f"--pid-file={self.dir}/munge/munged.pid",
             f"--seed-file={self.dir}/munge/seed", f"--log-file={self.dir}/munge/munged.log"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        with open(self.conf, "w") as f:
            f.write(SLURM_CONF.format(dir=self.dir, ctld_port=_free_port(), n1_port=_free_port(),
                                      n2_port=_free_port()))
        # Slurm's auth plugin finds munged's socket through this setting (slurm.conf has no
        # option for a non-default socket in 22.05): AuthInfo.
        with open(self.conf, "a") as f:
            f.write(f"AuthInfo=socket={self.munge_socket}\n")
        deadline = time.time() + 10
        while not os.path.exists(self.munge_socket):
            if time.time() > deadline:
                raise RuntimeError("munged did not start")
            time.sleep(0.1)
        self.procs.append(subprocess.Popen(["slurmctld", "-D", "-f", self.conf],
                                           env=self.env, stdout=subprocess.DEVNULL,
                                           stderr=subprocess.DEVNULL))
        for node in ("n1", "n2"):
            self.procs.append(subprocess.Popen(["slurmd", "-D", "-f", self.conf, "-N", node],
                                               env=self.env, stdout=subprocess.DEVNULL,
                                               stderr=subprocess.DEVNULL))
        deadline = time.time() + 60
        while True:
            p = _run("sinfo", "-h", "-N", "-o", "%N %t", env=self.env, check=False)
            states = dict(line.split() for line in p.stdout.splitlines() if line.strip())
            if states.get("n1") == "idle" and states.get("n2") == "idle":
                return
            if time.time() > deadline:
                raise RuntimeError(f"Slurm nodes did not come up: {p.stdout}{p.stderr}\n" +
                                   self.log("slurmd-n1.log") +
                                   self.log("slurmctld.log"))
            time.sleep(0.5)

    def log(self, name):
        with contextlib.suppress(OSError), open(os.path.join(self.dir, name)) as f:
            return f.read()
        return ""

    def __exit__(self, *exc):
        for p in reversed(self.procs):
            p.terminate()
        for p in reversed(self.procs):
            try:
                p.wait(timeout=15)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()
        shutil.rmtree(self.dir, ignore_errors=True)

    def sbatch(self, *args, cwd=None):
        p = _run("sbatch", "--parsable", *args, env=self.env, cwd=cwd)
        return p.stdout.strip().split(";")[0]

    def wait(self, job, timeout=120):
        """Waits until no task of `job` is queued or running."""
        deadline = time.time() + timeout
        while _run("squeue", "-h", "-j", job, env=self.env, check=False).stdout.strip():
            if time.time() > deadline:
                raise RuntimeError(f"job {job} still queued after {timeout} s")
            time.sleep(0.5)
