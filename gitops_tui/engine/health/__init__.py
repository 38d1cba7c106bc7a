"""Resource health by Argo CD's rules (gitops-engine pkg/health and the Lua scripts Argo CD bundles for
CronJob and Rollout), one module per kind family, and app health as the worst of its resources."""

from gitops_tui.engine.health.aggregate import aggregate
from gitops_tui.engine.health.assess import assess

__all__ = ["aggregate", "assess"]
