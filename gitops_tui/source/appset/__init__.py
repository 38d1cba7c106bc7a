"""ApplicationSets expanded offline into the Applications Argo CD's applicationset-controller would write.

    result = expand_application_set(doc, "apps/appset.yaml:1", AppSetContext(tree=checkout, remotes=...))

Generators `list`, `git` (directories, files), `clusters` (from the clusters given, since Argo's cluster
Secrets are not in Git), `matrix` and `merge`, with post-selectors, generator templates, both template
syntaxes (fasttemplate, and goTemplate run on Go's text/template through Helm's embedded engine) and
`templatePatch`. Generators that need a service (`pullRequest`, `scmProvider`, `plugin`,
`clusterDecisionResource`) are said in a note; the others still generate.

The controller's semantics are followed to the letter, Go formatting of numbers included; where this
cannot match it, the module says so (see gotemplate.py and the tests that pin each difference).
"""

from __future__ import annotations

from gitops_tui.source.appset.context import AppSetContext, AppSetResult, ClusterInfo
from gitops_tui.source.appset.expand import expand_application_set

__all__ = ["AppSetContext", "AppSetResult", "ClusterInfo", "expand_application_set"]
