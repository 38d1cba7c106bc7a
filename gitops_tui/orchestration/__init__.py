"""The orchestration: what turns a Git checkout and a set of clusters into a reconciled snapshot, once or in
a loop.

- `reconcile`: the Workspace (discover, render, fetch live, compare; revert and adopt's inputs) and its
  Snapshot;
- `prepare`: what a compare needs from the live side (tracked objects, dry runs, unserved kinds);
- `contexts`: one cluster client and dry-run cache per kube context; `contextmap`: which context each app
  and each repository cluster maps to;
- `livewatch`, `loop`: the watches and the background reconcile loop the TUI and `watch` run;
- `offload`: the compare of a big reconcile in worker processes, off the TUI's interpreter lock;
- `heap`: the loop's garbage-collector policy (no full collection walking every snapshot);
- `clustervalues`: Flux's substituteFrom / valuesFrom objects that Git does not hold, read from the cluster.

It imports `source/`, `cluster/` and `engine/` (and the root's `model`, `config`, `threads`), never `actions/`,
`ui/` or `cli/`, which drive it.
"""
