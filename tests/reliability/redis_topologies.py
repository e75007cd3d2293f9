"""Real Redis topologies of a test's own, on free ports in a temporary folder: a cluster of
three masters with one replica each, and one master, one replica and one sentinel. Each
knows the PIDs it started and kills only those; `kill(port)` is what a crashed node does."""
from __future__ import annotations

import os
import signal
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import redis
from redis.exceptions import RedisError

from tests.reliability.processes import free_port
from tests.reliability.redis_server import require_tool


def _wait(what: str, check: Callable[[], bool], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if check():
                return
        except (RedisError, OSError):
            pass
        time.sleep(0.1)
    raise AssertionError(f"{what} within {timeout} s")


@dataclass
class _Nodes:
    folder: Path
    processes: dict[int, subprocess.Popen[bytes]] = field(default_factory=dict)
    paused: set[int] = field(default_factory=set)

    def _start(self, port: int, argv: list[str]) -> None:
        log = (self.folder / f"redis-{port}.log").open("ab")
        self.processes[port] = subprocess.Popen(
            argv, stdout=log, stderr=subprocess.STDOUT, cwd=self.folder, start_new_session=True
        )

    def client(self, port: int) -> redis.Redis:
        return redis.Redis(host="127.0.0.1", port=port, socket_timeout=2, socket_connect_timeout=2)

    def kill(self, port: int) -> None:
        """SIGKILL one node we started: no shutdown, no goodbye to the others."""
        process = self.processes[port]
        if process.poll() is None:
            os.kill(process.pid, signal.SIGKILL)
            process.wait(10)

    def pause(self, port: int) -> None:
        """SIGSTOP one node we started: it keeps its connections and answers nothing (hung)."""
        os.kill(self.processes[port].pid, signal.SIGSTOP)
        self.paused.add(port)

    def resume(self, port: int) -> None:
        os.kill(self.processes[port].pid, signal.SIGCONT)
        self.paused.discard(port)

    def stop(self) -> None:
        for process in self.processes.values():
            if process.poll() is None:
                os.kill(process.pid, signal.SIGCONT)  # a paused one too
                os.kill(process.pid, signal.SIGKILL)
                process.wait(10)
        self.processes.clear()


class RedisClusterOfSix(_Nodes):
    """Six `redis-server --cluster-enabled yes`, joined by `redis-cli --cluster create
    --cluster-replicas 1`. A node is judged failed after 1 s (`cluster-node-timeout`), so a
    replica takes over a killed master's slots within a few seconds."""

    def __init__(self, folder: Path) -> None:
        super().__init__(folder)
        self.server = require_tool("redis-server")
        self.cli = require_tool("redis-cli")
        self.ports = [free_port() for _ in range(6)]

    @property
    def url(self) -> str:
        return "redis+cluster://" + ",".join(f"127.0.0.1:{p}" for p in self.ports[:3]) + "/"

    def start(self) -> RedisClusterOfSix:
        for port in self.ports:
            folder = self.folder / str(port)
            folder.mkdir()
            self._start(port, [
                self.server, "--port", str(port), "--bind", "127.0.0.1",
                "--cluster-enabled", "yes", "--cluster-port", str(free_port()),
                "--cluster-config-file", str(folder / "nodes.conf"),
                "--cluster-node-timeout", "1000", "--cluster-replica-validity-factor", "0",
                "--cluster-require-full-coverage", "no",
                "--dir", str(folder), "--save", "", "--appendonly", "no",
                "--repl-diskless-sync-delay", "0",
            ])
        for port in self.ports:
            _wait(f"redis-server on {port} answers", lambda p=port: bool(self.client(p).ping()), 10)
        subprocess.run(
            [self.cli, "--cluster", "create", *(f"127.0.0.1:{p}" for p in self.ports),
             "--cluster-replicas", "1", "--cluster-yes"],
            check=True, capture_output=True, timeout=30,
        )
        self.wait_ok(self.ports, nodes=6)
        return self

    def live_ports(self) -> list[int]:
        return [p for p, process in self.processes.items()
                if process.poll() is None and p not in self.paused]

    def wait_ok(self, ports: list[int] | None = None, *, nodes: int | None = None,
                timeout: float = 20) -> None:
        """Until every live node says `cluster_state:ok` and, if given, knows `nodes` nodes."""
        def ok() -> bool:
            for port in ports or self.live_ports():
                info = self.client(port).execute_command("CLUSTER INFO")
                if str(info.get("cluster_state")) != "ok":
                    return False
                if nodes is not None and int(info.get("cluster_known_nodes", 0)) != nodes:
                    return False
            return True

        _wait("the cluster is ok", ok, timeout)

    def masters(self) -> dict[int, list[tuple[int, int]]]:
        """Port of each live master -> its slot ranges, as a live node sees it."""
        table = self.client(self.live_ports()[0]).execute_command("CLUSTER SLOTS")
        out: dict[int, list[tuple[int, int]]] = {}
        for start, end, master, *_ in table:
            out.setdefault(int(master[1]), []).append((int(start), int(end)))
        return out

    def master_of_slot(self, slot: int) -> int:
        for port, ranges in self.masters().items():
            if any(start <= slot <= end for start, end in ranges):
                return port
        raise AssertionError(f"no master serves slot {slot}")

    def fail_over(self, port: int, timeout: float = 20, *, hang: bool = False) -> int:
        """Kill master `port` (with `hang`, stop it instead: it keeps its connections and
        answers nothing), wait until a replica serves its slots and the cluster is ok; the
        port of the new master. If no replica took over on its own within the node
        timeout's few seconds, ask the replica (CLUSTER FAILOVER TAKEOVER)."""
        ranges = self.masters()[port]
        replicas = [
            p for p in self.live_ports() if p != port
            and self.client(p).execute_command("ROLE")[0] == b"slave"
            and int(self.client(p).execute_command("ROLE")[2]) == port
        ]
        assert replicas, f"master {port} has no replica"
        if hang:
            self.pause(port)
        else:
            self.kill(port)

        def promoted() -> bool:
            return self.client(replicas[0]).execute_command("ROLE")[0] == b"master"

        try:
            _wait("the replica took over", promoted, 8)
        except AssertionError:
            self.client(replicas[0]).execute_command("CLUSTER FAILOVER TAKEOVER")
            _wait("the replica took over when asked", promoted, timeout)
        self.wait_ok()
        _wait("the slots moved", lambda: self.masters().get(replicas[0]) == ranges, timeout)
        return replicas[0]


    def rejoin(self, port: int, timeout: float = 20) -> None:
        """Resume a node stopped by `fail_over(hang=True)`: it learns it lost its slots and
        becomes a replica of its successor; wait until the cluster is whole again."""
        self.resume(port)
        _wait("the old master rejoined as a replica",
              lambda: self.client(port).execute_command("ROLE")[0] == b"slave", timeout)
        self.wait_ok(nodes=6)


class RedisWithSentinel(_Nodes):
    """One master, one replica and one sentinel (quorum 1) monitoring them as `signin`;
    the master is judged down after 1 s."""

    SERVICE = "signin"

    def __init__(self, folder: Path) -> None:
        super().__init__(folder)
        self.server = require_tool("redis-server")
        self.master, self.replica, self.sentinel = free_port(), free_port(), free_port()

    @property
    def url(self) -> str:
        return f"redis+sentinel://127.0.0.1:{self.sentinel}/{self.SERVICE}/0"

    def _data_node(self, port: int, *extra: str) -> None:
        folder = self.folder / str(port)
        folder.mkdir()
        self._start(port, [self.server, "--port", str(port), "--bind", "127.0.0.1",
                           "--dir", str(folder), "--save", "", "--appendonly", "no",
                           "--repl-diskless-sync-delay", "0", *extra])

    def start(self) -> RedisWithSentinel:
        self._data_node(self.master)
        self._data_node(self.replica, "--replicaof", "127.0.0.1", str(self.master))
        config = self.folder / "sentinel.conf"  # a sentinel rewrites its own file
        config.write_text(
            f"port {self.sentinel}\nbind 127.0.0.1\ndir {self.folder}\n"
            f"sentinel monitor {self.SERVICE} 127.0.0.1 {self.master} 1\n"
            f"sentinel down-after-milliseconds {self.SERVICE} 1000\n"
            f"sentinel failover-timeout {self.SERVICE} 5000\n"
            # known at once, not at the sentinel's first INFO round ten seconds later
            f"sentinel known-replica {self.SERVICE} 127.0.0.1 {self.replica}\n"
        )
        self._start(self.sentinel, [self.server, str(config), "--sentinel"])

        def replica_synced() -> bool:
            info = self.client(self.replica).info("replication")
            return info.get("master_link_status") == "up"

        def sentinel_sees_replica() -> bool:
            replicas = self.client(self.sentinel).sentinel_slaves(self.SERVICE)
            return any(r["port"] == self.replica and not r["is_sdown"] for r in replicas)

        _wait("the replica is in sync", replica_synced, 10)
        _wait("the sentinel knows the replica", sentinel_sees_replica, 15)
        return self

    def current_master(self) -> int:
        host, port = self.client(self.sentinel).execute_command(
            "SENTINEL GET-MASTER-ADDR-BY-NAME", self.SERVICE
        )
        return int(port)

    def fail_over(self, timeout: float = 20, *, hang: bool = False) -> int:
        """Kill the current master (with `hang`, stop it: it keeps its connections and
        answers nothing); wait until the sentinel names the other node and it is a master.
        The new master's port."""
        old = self.current_master()
        new = self.replica if old == self.master else self.master
        if hang:
            self.pause(old)
        else:
            self.kill(old)
        _wait("the sentinel promoted the replica", lambda: self.current_master() == new
              and self.client(new).execute_command("ROLE")[0] == b"master", timeout)
        return new

    def rejoin(self, port: int, timeout: float = 20) -> None:
        """Resume a master stopped by `fail_over(hang=True)`: the sentinel turns it into a
        replica of its successor; wait until it is in sync and the sentinel counts on it."""
        self.resume(port)
        # what the sentinel does at its next look at the node (up to ten seconds away)
        self.client(port).execute_command("REPLICAOF", "127.0.0.1", str(self.current_master()))

        def replica_again() -> bool:
            info = self.client(port).info("replication")
            known = self.client(self.sentinel).sentinel_slaves(self.SERVICE)
            return info.get("role") == "slave" and info.get("master_link_status") == "up" and any(
                r["port"] == port and not r["is_sdown"] for r in known)

        _wait("the old master is a replica again", replica_again, timeout)
