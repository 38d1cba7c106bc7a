"""Automation policy without a cluster: only when on, never when frozen, Argo-like backoff (2 s, ×3, capped
at 300 s) for a heal that fails or does not stick, reset once the app is seen Synced; every toggle and freeze
audited."""

from __future__ import annotations

from typing import Any

from gitops_tui.actions.automation import Automation
from gitops_tui.model import AppSpec, AppStatus, GitopsError, HeaderInfo, HealthStatus, SyncStatus
from gitops_tui.orchestration.reconcile import Snapshot


class FakeActions:
    """Records plans and syncs; `fail` makes planning raise, as a refused sync would."""

    def __init__(self) -> None:
        self.synced: list[str] = []
        self.audited: list[Any] = []
        self.fail = ""

    def plan_sync(self, app: str, *, prune: bool = False, refresh: bool = True) -> Any:
        if self.fail:
            raise GitopsError(self.fail)
        return _Plan(app)

    def sync(self, plan: Any) -> Any:
        self.synced.append(plan.app)
        return _Result()

    def record(self, entry: Any) -> Any:
        self.audited.append(entry)
        return entry


class _Change:
    class key:  # noqa: N801 - shaped like a ResourceKey
        @staticmethod
        def display() -> str:
            return "Deployment.apps/prod/api"


class _Plan:
    def __init__(self, app: str) -> None:
        self.app = app
        self.changes = (_Change(),)


class _Result:
    ok = True
    applied = (1,)
    failed = ()


def snapshot(
    sync: SyncStatus, *, automated: bool = True, self_heal: bool = True, dirty: bool = False
) -> Snapshot:
    spec = AppSpec(name="api", path="api", automated=automated, self_heal=self_heal)
    status = AppStatus(app=spec, sync=sync, health=HealthStatus.HEALTHY, revision="abc", dirty=dirty)
    return Snapshot(apps=(status,), header=HeaderInfo("", "", "", "", ""), started=0, finished=0)


def make(now: list[float]) -> tuple[Automation, FakeActions]:
    actions = FakeActions()
    return Automation(actions, clock=lambda: now[0]), actions  # type: ignore[arg-type]


def test_observe_only_until_switched_on_and_audited() -> None:
    now = [1000.0]
    automation, actions = make(now)
    automation.run(snapshot(SyncStatus.OUT_OF_SYNC))
    assert actions.synced == []
    automation.set_enabled(True)
    events = automation.run(snapshot(SyncStatus.OUT_OF_SYNC))
    assert actions.synced == ["api"]
    assert [e.kind for e in events] == ["automation", "sync", "sync"]
    assert [(e.action, e.result) for e in actions.audited] == [("automation", "ok"), ("automation", "ok")]


def test_a_heal_that_does_not_stick_backs_off_2_6_18_then_caps_at_300() -> None:
    now = [1000.0]
    automation, actions = make(now)
    automation.set_enabled(True)
    drifted = snapshot(SyncStatus.OUT_OF_SYNC)
    attempts_at = []
    for _ in range(4000):  # ~4000 s of reconciles, one a second, drift coming back every time
        before = len(actions.synced)
        automation.run(drifted)
        if len(actions.synced) > before:
            attempts_at.append(now[0] - 1000)
        now[0] += 1
    gaps = [b - a for a, b in zip(attempts_at, attempts_at[1:], strict=False)]
    assert gaps[:5] == [2, 6, 18, 54, 162]
    assert set(gaps[5:]) == {300}

    automation.run(snapshot(SyncStatus.SYNCED))  # seen Synced: the next drift is healed at once
    before = len(actions.synced)
    automation.run(drifted)
    assert len(actions.synced) == before + 1


def test_failures_back_off_and_say_when_the_next_try_is() -> None:
    now = [1000.0]
    automation, actions = make(now)
    automation.set_enabled(True)
    actions.fail = "admission webhook denied the request"
    events = automation.run(snapshot(SyncStatus.OUT_OF_SYNC))
    assert events[-1].kind == "error" and "next try in 2s" in events[-1].message
    now[0] += 1
    assert automation.run(snapshot(SyncStatus.OUT_OF_SYNC)) == []  # still backing off: nothing tried
    assert actions.audited[-1].result == "failed"


def test_freeze_pauses_one_app_and_ends_by_itself() -> None:
    now = [1000.0]
    automation, actions = make(now)
    automation.set_enabled(True)
    automation.freeze("api", 60)
    assert automation.frozen() == {"api": 60}
    automation.run(snapshot(SyncStatus.OUT_OF_SYNC))
    now[0] += 59
    automation.run(snapshot(SyncStatus.OUT_OF_SYNC))
    assert actions.synced == []
    now[0] += 2
    events = automation.run(snapshot(SyncStatus.OUT_OF_SYNC))
    assert actions.synced == ["api"] and events[0].message == "freeze ended"
    assert ("freeze", "api") in [(e.action, e.app) for e in actions.audited]


def test_automated_without_self_heal_syncs_only_a_new_revision() -> None:
    now = [1000.0]
    automation, actions = make(now)
    automation.set_enabled(True)
    automation.run(snapshot(SyncStatus.OUT_OF_SYNC, self_heal=False))  # first sight of revision abc
    now[0] += 1000
    automation.run(snapshot(SyncStatus.OUT_OF_SYNC, self_heal=False))  # live drift only: left alone
    assert actions.synced == ["api"]
    automation.run(snapshot(SyncStatus.OUT_OF_SYNC, automated=False))
    assert actions.synced == ["api"]


def test_uncommitted_edits_hold_automation_back_until_committed() -> None:
    """A file the app is built from, edited and saved but not committed: self-heal would put the half-done
    edit live on save. Automation waits (said once) and resumes when the change is committed."""
    now = [1000.0]
    automation, actions = make(now)
    automation.set_enabled(True)
    events = automation.run(snapshot(SyncStatus.OUT_OF_SYNC, dirty=True))
    assert actions.synced == []
    assert [e.message for e in events if e.app == "api"] == [
        "automation waits: uncommitted changes in what this app is built from (commit them, or sync by hand)"
    ]
    assert not [e for e in automation.run(snapshot(SyncStatus.OUT_OF_SYNC, dirty=True)) if e.app == "api"]
    automation.run(snapshot(SyncStatus.OUT_OF_SYNC))  # committed
    assert actions.synced == ["api"]


def test_the_next_retry_and_the_end_of_a_freeze_are_due_at_their_time() -> None:
    """What the loop schedules a reconcile for: "next try in 2s" must happen in 2 s, and a freeze must end
    when it says, not at the next periodic reconcile minutes later (found by hand)."""
    now = [1000.0]
    automation, actions = make(now)
    assert automation.next_due() is None
    automation.freeze("web", 120)
    assert automation.next_due() == (1120.0, frozenset({"web"}))  # even with automation off: the header
    automation.set_enabled(True)
    actions.fail = 'namespaces "cache" not found'
    automation.run(snapshot(SyncStatus.OUT_OF_SYNC))
    assert automation.next_due() == (1002.0, frozenset({"api"}))
    now[0] += 2.5  # past: done by the reconcile that came at 1002, or waiting for the app to allow it
    assert automation.next_due() == (1120.0, frozenset({"web"}))
