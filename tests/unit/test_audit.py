import threading
from pathlib import Path

from gitops_tui.audit import AuditEntry, AuditLog


def test_entries_round_trip_newest_first(tmp_path: Path):
    log = AuditLog(tmp_path / "state" / "audit.jsonl")
    log.record(AuditEntry(action="sync", app="web", result="ok", resources=("Deployment/web/web",)))
    log.record(AuditEntry(action="adopt", app="api", result="failed", message="dirty tree"))
    entries = log.entries()
    assert [(e.action, e.app, e.result) for e in entries] == [
        ("adopt", "api", "failed"),
        ("sync", "web", "ok"),
    ]
    assert entries[1].resources == ("Deployment/web/web",)
    assert entries[0].time > 0
    assert (log.path.stat().st_mode & 0o777) == 0o600


def test_torn_lines_are_skipped_and_missing_file_is_empty(tmp_path: Path):
    log = AuditLog(tmp_path / "audit.jsonl")
    assert log.entries() == []
    log.record(AuditEntry(action="sync", app="web", result="ok"))
    with log.path.open("a") as fh:
        fh.write('{"action": "sync", "app"')  # a crash mid-write
    assert [e.app for e in log.entries()] == ["web"]


def test_concurrent_writers_do_not_interleave(tmp_path: Path):
    log = AuditLog(tmp_path / "audit.jsonl")

    def write(n: int) -> None:
        for i in range(50):
            log.record(AuditEntry(action="sync", app=f"app-{n}", result="ok", message="x" * 500 + str(i)))

    threads = [threading.Thread(target=write, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(log.entries()) == 200
