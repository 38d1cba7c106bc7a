from __future__ import annotations

from gitops_tui.source.tools import condense


def test_condense_unwraps_kubectl_klog_lines_and_shortens_paths() -> None:
    quoted = (
        'E1122 21:22:04.006076   10691 run.go:72] "command failed" err="accumulating resources: '
        "accumulation err='accumulating resources from '/repo/api/x.yaml': missing'\"\n"
    )
    assert condense(quoted, {"/repo/": ""}) == (
        "accumulating resources: accumulation err='accumulating resources from 'api/x.yaml': missing'"
    )
    multiline = (
        'E1122 21:22:04.1 1 run.go:72] "command failed" err=<\n\ttrouble configuring\n\tbuiltin patch\n >\n'
    )
    assert condense(multiline) == "trouble configuring builtin patch"
    assert condense("Error: chart requires kubeVersion >= 1.30\n\n") == "chart requires kubeVersion >= 1.30"
    assert len(condense("x" * 5000)) == 600
