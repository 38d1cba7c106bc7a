"""Adopt: write the live values of drifted fields back into the Git source that produces them.

Plain YAML apps are edited in place (only the changed lines differ); Kustomize apps through the overlay's
`images:`/`replicas:` entries, its patches, or a new registered patch; Helm apps and Secret data are refused.
"""

from gitops_tui.source.adopt.apply import adopt_message, apply_adopt, undo_adopt
from gitops_tui.source.adopt.plan import (
    AdoptPlan,
    AdoptRefused,
    FileChange,
    field_name,
)
from gitops_tui.source.adopt.planner import plan_adopt
from gitops_tui.source.adopt.verify import verify_adopt

__all__ = [
    "AdoptPlan",
    "AdoptRefused",
    "FileChange",
    "adopt_message",
    "apply_adopt",
    "field_name",
    "plan_adopt",
    "undo_adopt",
    "verify_adopt",
]
