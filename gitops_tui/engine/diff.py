"""Drift of one resource: server-side (live against the server's dry-run prediction) or client-side (live
against Git, offline), both reported the same way: drifted fields as JSON pointers with Git value, live value
and the manager that last set the live value.

Reconciling thousands of objects, almost all in sync, the cost that matters is the equality check: noise is
stripped without deep copies and the detailed walk only runs when the quick check fails.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from gitops_tui.engine import pointer
from gitops_tui.engine.fielddiff import ABSENT, Difference, full, subset
from gitops_tui.engine.ignore import apply_ignores, ignored_by_manager, rules_for
from gitops_tui.engine.managedfields import Ownership, is_client_side_applied, takeovers
from gitops_tui.engine.normalize import fold_secret, strip_noise
from gitops_tui.engine.removals import last_applied, owned_projection, removed
from gitops_tui.model import DiffMode, DriftField, IgnoreRule, Obj, ResourceDiff, ResourceKey, SyncStatus

DEFAULT_MANAGER = "gitops-tui"


def _value(v: Any) -> Any:
    return None if v is ABSENT else v


def _fields(
    diffs: Sequence[Difference], live: Obj, ownership: Ownership, rules: Sequence[IgnoreRule]
) -> tuple[DriftField, ...]:
    out: dict[tuple[str, tuple[str, ...]], DriftField] = {}
    for d in diffs:
        path = pointer.join(d.tokens)
        # An item only on the Git side is addressed by its index there, which can be the live index of
        # another item (a renamed container): the keyed path tells them apart, so both are reported.
        ident = (path, d.keyed)
        if ident in out:
            continue
        if d.live is ABSENT:
            # Nobody owns what is not there; an index here counts on the Git side, not in live.
            manager, time = None, None
        else:
            if ignored_by_manager(path, live, rules, ownership):
                continue
            manager, time = ownership.owner(path)
        out[ident] = DriftField(
            path=path,
            git=_value(d.git),
            live=_value(d.live),
            manager=manager,
            time=time,
            keyed_path="".join(
                "/" + pointer.escape(t) if not t.startswith("[") else "/" + t for t in d.keyed
            ),
        )
    return tuple(out.values())


def _csa_removals(
    desired: Obj, live: Obj, key: ResourceKey, rules: Sequence[IgnoreRule], ownership: Ownership, manager: str
) -> list[Difference]:
    """Fields Git dropped that kubectl's last-applied still lists (see `removals`)."""
    applied = last_applied(live)
    if applied is None:
        return []
    return removed(
        apply_ignores(applied, key, rules),
        apply_ignores(fold_secret(strip_noise(desired)), key, rules),
        apply_ignores(strip_noise(live), key, rules),
        ownership,
        manager,
    )


def quick_in_sync(
    desired: Obj,
    live: Obj,
    predicted: Obj | None = None,
    *,
    ignore: Sequence[IgnoreRule] = (),
    manager: str = DEFAULT_MANAGER,
) -> bool:
    """True when nothing drifted. Cheap when that is the answer; a False may still turn out Synced once
    manager-based ignore rules are applied by the full diff."""
    if predicted is None:
        return client_side_diff(desired, live, ignore=ignore, manager=manager).sync is SyncStatus.SYNCED
    key = ResourceKey.of(desired)
    if apply_ignores(strip_noise(live), key, ignore) != apply_ignores(strip_noise(predicted), key, ignore):
        return False
    if is_client_side_applied(live):
        return not _csa_removals(desired, live, key, ignore, Ownership(live), manager)
    return True


def server_side_diff(
    desired: Obj,
    live: Obj,
    predicted: Obj,
    *,
    ignore: Sequence[IgnoreRule] = (),
    manager: str = DEFAULT_MANAGER,
) -> ResourceDiff:
    """Drift = normalized live versus the normalized server-side-apply dry run of `desired`.

    On an object that was client-side applied and never migrated, the dry run keeps fields Git dropped
    (kubectl's client-side-apply manager still co-owns them, fixture 23), so fields that kubectl's
    last-applied annotation lists, Git no longer has and live still holds are drift as well."""
    key = ResourceKey.of(desired)
    rules = rules_for(key, ignore)
    live_n = apply_ignores(strip_noise(live), key, rules)
    predicted_n = apply_ignores(strip_noise(predicted), key, rules)
    csa = is_client_side_applied(live)
    if live_n == predicted_n and not csa:
        return ResourceDiff(key=key, sync=SyncStatus.SYNCED, mode=DiffMode.SERVER_SIDE)
    ownership = Ownership(live)
    diffs = full(live_n, predicted_n) if live_n != predicted_n else []
    if csa:
        diffs.extend(_csa_removals(desired, live, key, rules, ownership, manager))
    drift = _fields(diffs, live, ownership, rules)
    if not drift:
        return ResourceDiff(key=key, sync=SyncStatus.SYNCED, mode=DiffMode.SERVER_SIDE)
    return ResourceDiff(
        key=key,
        sync=SyncStatus.OUT_OF_SYNC,
        drift=drift,
        mode=DiffMode.SERVER_SIDE,
        taken_over=takeovers(live, desired, manager),
    )


def client_side_diff(
    desired: Obj,
    live: Obj,
    *,
    ignore: Sequence[IgnoreRule] = (),
    manager: str = DEFAULT_MANAGER,
) -> ResourceDiff:
    """Drift = the fields Git sets that live does not hold (after client-side normalization), plus fields
    Git dropped that were applied before (last-applied annotation, or owned by `manager`) and are still live.
    Live-only fields are not drift: the server defaults them or another manager owns them."""
    key = ResourceKey.of(desired)
    rules = rules_for(key, ignore)
    git_n = apply_ignores(fold_secret(strip_noise(desired)), key, rules)
    live_n = apply_ignores(strip_noise(live), key, rules)
    ownership = Ownership(live)
    # The API version is how the object was read, not part of it (apps/v1beta1 and apps/v1 are one object).
    diffs = [d for d in subset(git_n, live_n) if d.tokens[:1] != ("apiVersion",)]
    previously: list[Obj] = []
    applied = last_applied(live)
    if applied is not None:
        previously.append(apply_ignores(applied, key, rules))
    projection = owned_projection(live, ownership, manager)
    if projection is not None:
        previously.append(apply_ignores(projection, key, rules))
    for before in previously:
        diffs.extend(removed(before, git_n, live_n, ownership, manager))
    drift = _fields(diffs, live, ownership, rules)
    if not drift:
        return ResourceDiff(key=key, sync=SyncStatus.SYNCED, mode=DiffMode.CLIENT_SIDE)
    return ResourceDiff(
        key=key,
        sync=SyncStatus.OUT_OF_SYNC,
        drift=drift,
        mode=DiffMode.CLIENT_SIDE,
        taken_over=takeovers(live, desired, manager),
    )


def fallback_after_rejected_dry_run(
    desired: Obj,
    live: Obj,
    reason: str,
    ignore: Sequence[IgnoreRule] = (),
    *,
    manager: str = DEFAULT_MANAGER,
) -> ResourceDiff:
    """The server refused to predict (422: a list key such as a Service port number changed, fixture 22):
    compare client-side, and say that an apply cannot repair this object, only a replace can."""
    result = client_side_diff(desired, live, ignore=ignore, manager=manager)
    return ResourceDiff(
        key=result.key,
        sync=SyncStatus.OUT_OF_SYNC,
        drift=result.drift,
        mode=DiffMode.CLIENT_SIDE,
        taken_over=result.taken_over,
        needs_replace=True,
        note=f"server-side dry run rejected ({reason}); compared client-side; apply cannot fix this, replace",
    )


def missing(desired: Obj) -> ResourceDiff:
    return ResourceDiff(key=ResourceKey.of(desired), sync=SyncStatus.MISSING)


def extra(live: Obj) -> ResourceDiff:
    return ResourceDiff(key=ResourceKey.of(live), sync=SyncStatus.REQUIRES_PRUNING)
