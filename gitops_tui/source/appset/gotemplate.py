"""`goTemplate: true` strings, executed by Go's text/template inside Helm's engine (helm_python).

Every distinct template string of an ApplicationSet becomes one named template (`s0`, `s1`...) of a small
chart; `out.yaml` walks a list of jobs (a parameter map and the names to execute with it) and emits each
result with `include`, so `.` and `$` are the parameter map, as in Argo CD's `template.Execute(params)`.
One render executes a whole ApplicationSet. Results go through `b64enc` so that Helm's blanking of
`<no value>` (its workaround for `missingkey=zero`) never touches them: Argo CD prints `<no value>`.

Argo's options map onto Helm's: `missingkey=error` is Helm's strict mode (the same text/template option);
the default and `missingkey=zero` / `invalid` / `default` run Helm's non-strict mode, which is
`missingkey=zero`. The two differ only when a missing key is used further (`.missing.sub`): Go's default
prints `<no value>`, zero is a nil-pointer error. The differences are pinned by tests.

An error stops Helm's whole render; the first failing job is then found by bisection (renders of job
prefixes), and within it the template named in Helm's message, so the error is Argo's first error.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import re
import tarfile
import threading
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from helm_python import Chart, HelmError, _native

import gitops_tui.source.appset.gofuncs as gofuncs

_OUT = (
    "{{- range $job := .Values.jobs }}{{ range $t := $job.t }}{{ include $t $job.p | b64enc }},"
    "{{ end }};{{ end }}"
)
_CHART_YAML = "apiVersion: v2\nname: appset\nversion: 0.1.0\n"
_MISSING_KEY = ("map has no entry for key", "can't evaluate field")
_MISSINGKEY_VALUES = {"invalid", "default", "zero", "error"}


class GoTemplateError(ValueError):
    """Executing or parsing one template failed. `job` and `template` index the inputs of `render`."""

    def __init__(self, message: str, job: int, template: int, action: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.job = job
        self.template = template
        self.action = action  # the failing action, `.missing` in `at <.missing>`

    @property
    def missing_key(self) -> bool:
        return any(text in self.message for text in _MISSING_KEY)


def strict_option(options: Sequence[str]) -> bool:
    """Whether `goTemplateOptions` ask for missingkey=error (the last missingkey option wins, as in Go).

    Raises ValueError for an option text/template does not know (Go panics on it)."""
    strict = False
    for option in options:
        key, _, value = str(option).partition("=")
        if key != "missingkey" or value not in _MISSINGKEY_VALUES:
            raise ValueError(
                f"goTemplateOptions: unrecognized option {option!r} (text/template knows missingkey=...)"
            )
        strict = value == "error"
    return strict


@dataclass(frozen=True)
class Job:
    params: Mapping[str, Any]
    templates: tuple[int, ...]  # indexes into the template list


class _Charts:
    """Loaded charts by their template strings: an ApplicationSet's templates change far less often than
    its generated parameters, and loading costs more than a render."""

    def __init__(self, size: int = 64) -> None:
        self._charts: OrderedDict[str, Chart] = OrderedDict()
        self._size = size
        self._lock = threading.Lock()

    def get(self, defines: str) -> Chart:
        key = hashlib.blake2b(defines.encode("utf-8", "surrogatepass"), digest_size=20).hexdigest()
        with self._lock:
            chart = self._charts.get(key)
            if chart is not None:
                self._charts.move_to_end(key)
                return chart
        chart = Chart.load_archive(
            _archive({"Chart.yaml": _CHART_YAML, "templates/_s.tpl": defines, "templates/out.yaml": _OUT})
        )
        with self._lock:
            chart = self._charts.setdefault(key, chart)  # a concurrent load of the same templates: keep one
            while len(self._charts) > self._size:
                # not closed: a render in another thread may still hold it; the handle is freed when collected
                self._charts.popitem(last=False)
        return chart


_charts = _Charts()


def _archive(files: Mapping[str, str]) -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz", compresslevel=1) as tar:
        for name, text in files.items():
            data = text.encode("utf-8", "surrogatepass")
            info = tarfile.TarInfo(f"appset/{name}")
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return buf.getvalue()


def render(templates: Sequence[str], jobs: Sequence[Job], *, strict: bool) -> list[list[str]]:
    """Each job's templates executed with its parameters, in job order. Raises GoTemplateError for the
    first job (and its first template) that fails, or the first template that does not parse."""
    if not jobs:
        return []
    prepared = _prepare(templates, jobs)
    chart = _charts.get(_defines(prepared))
    try:
        return _run(chart, jobs, strict)
    except HelmError as exc:
        first = _first_failing(chart, jobs, strict, exc)
        raise _locate(chart, templates, prepared, jobs, strict, first, exc) from None


def render_tolerant(templates: Sequence[str], jobs: Sequence[Job], *, strict: bool) -> list[list[str | None]]:
    """As `render`, but a template that fails on a missing key gives None for that job (Argo keeps such a
    generator `values` entry as written); any other failure raises."""
    try:
        return [list(r) for r in render(templates, jobs, strict=strict)]
    except GoTemplateError as exc:
        if not exc.missing_key:
            raise
    out: list[list[str | None]] = []
    for job in jobs:
        row: list[str | None] = []
        for t in job.templates:
            try:
                row.append(render(templates, [Job(job.params, (t,))], strict=strict)[0][0])
            except GoTemplateError as exc:
                if not exc.missing_key:
                    raise
                row.append(None)
        out.append(row)
    return out


def _prepare(templates: Sequence[str], jobs: Sequence[Job]) -> list[gofuncs.Prepared | None]:
    used = sorted({t for job in jobs for t in job.templates}, key=lambda t: _first_use(jobs, t))
    prepared: list[gofuncs.Prepared | None] = [None] * len(templates)
    for t in used:
        try:
            prepared[t] = gofuncs.prepare(templates[t])
        except gofuncs.UnknownFunction as exc:
            raise GoTemplateError(str(exc), _first_use(jobs, t), t) from None
    return prepared


def _first_use(jobs: Sequence[Job], template: int) -> int:
    return next(i for i, job in enumerate(jobs) if template in job.templates)


def _defines(prepared: Sequence[gofuncs.Prepared | None]) -> str:
    helpers: set[str] = set()
    parts: list[str] = []
    for i, p in enumerate(prepared):
        if p is not None:
            parts.append(f'{{{{- define "s{i}" }}}}{p.text}{{{{ end }}}}\n')
            helpers |= p.helpers
    for name in sorted(helpers):
        parts.append(f'{{{{- define "{name}" }}}}{gofuncs.HELPERS[name]}{{{{ end }}}}\n')
    return "".join(parts)


def _run(chart: Chart, jobs: Sequence[Job], strict: bool) -> list[list[str]]:
    values = {"jobs": [{"p": job.params, "t": [f"s{t}" for t in job.templates]} for job in jobs]}
    opts = json.dumps({"name": "appset", "strict": strict})
    out = _native.call_string("helm_render", chart._raw(), json.dumps(values, default=str), opts)
    text = json.loads(out).get("appset/templates/out.yaml", "")
    rows = text.split(";")[: len(jobs)]
    return [
        [base64.b64decode(cell).decode("utf-8", "surrogateescape") for cell in row.split(",")[:-1]]
        for row in rows
    ]


def _first_failing(chart: Chart, jobs: Sequence[Job], strict: bool, exc: HelmError) -> int:
    """The index of the first job that fails. Helm stops at it, so `exc` (the whole render's error) is
    already its error; only its position is unknown, found by rendering halves."""
    if _is_parse_error(str(exc)):
        return 0
    lo, hi = 0, len(jobs)
    while hi - lo > 1:
        mid = (lo + hi) // 2
        try:
            _run(chart, jobs[lo:mid], strict)
            lo = mid
        except HelmError:
            hi = mid
    return lo


def _locate(
    chart: Chart,
    templates: Sequence[str],
    prepared: Sequence[gofuncs.Prepared | None],
    jobs: Sequence[Job],
    strict: bool,
    index: int,
    exc: HelmError,
) -> GoTemplateError:
    text = " ".join(str(exc).split())
    if _is_parse_error(text):
        return _parse_error(templates, prepared, jobs)
    job = jobs[index]
    named = re.search(r'executing "s(\d+)" at <(.+?)>: ', text)
    template = int(named.group(1)) if named else -1
    if template not in job.templates:
        template = _failing_template(chart, job, strict)
    return GoTemplateError(
        _message(text), index, template, gofuncs.restore_names(named.group(2)) if named else ""
    )


def _failing_template(chart: Chart, job: Job, strict: bool) -> int:
    # Helm reports a `fail` at the include in out.yaml, not in the template that called it
    for t in job.templates:
        try:
            _run(chart, [Job(job.params, (t,))], strict)
        except HelmError:
            return t
    return job.templates[0]


def _parse_error(
    templates: Sequence[str], prepared: Sequence[gofuncs.Prepared | None], jobs: Sequence[Job]
) -> GoTemplateError:
    """The first template (in the order jobs use them) that does not parse on its own."""
    order = sorted((t for t, p in enumerate(prepared) if p is not None), key=lambda t: _first_use(jobs, t))
    for t in order:
        alone: list[gofuncs.Prepared | None] = [p if i == t else None for i, p in enumerate(prepared)]
        try:
            _run(_charts.get(_defines(alone)), [], False)
        except HelmError as exc:
            return GoTemplateError(_message(" ".join(str(exc).split())), _first_use(jobs, t), t)
    return GoTemplateError("the templates do not parse together", 0, order[0] if order else 0)


def _is_parse_error(text: str) -> bool:
    return "parse error" in text


def _message(text: str) -> str:
    """The reason in Helm's message, without Helm's chart locations."""
    parse = re.search(r"parse error at \([^)]*\): (.*)$", text)
    if parse:
        return gofuncs.restore_names(parse.group(1))
    failed = re.search(r"execution error at \([^)]*\): (.*)$", text)
    if failed:
        reason = failed.group(1)
        return reason if reason.startswith("error calling slugify") else f"error calling fail: {reason}"
    last = list(re.finditer(r'executing "[^"]+" at <.+?>: ', text))
    reason = text[last[-1].end() :] if last else text
    return gofuncs.restore_names(reason.strip())
