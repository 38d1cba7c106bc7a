"""The ApplicationSet's default template syntax (`goTemplate` unset): valyala/fasttemplate as Argo CD's
`Render.Replace` drives it.

- a string is templated only when one line holds `{{` and then `}}` (Argo's `.*{{.*}}.*` test);
- every `{{`...`}}` tag is looked up with the spaces around it trimmed (`{{ path.basename }}` works);
- only string parameters replace a tag: an unknown key, an empty tag or a non-string value leaves the tag
  exactly as written, braces and spaces included;
- a `{{` with no `}}` after it anywhere is an error ("Cannot find end tag").
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

_TEMPLATED = re.compile(r"{{.*}}")  # `.` stops at a newline, as in Go's regexp

# Go's strings.TrimSpace: unicode.IsSpace, which (unlike str.strip) leaves U+001C..U+001F alone
_GO_SPACE = " \t\n\v\f\r\x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"


class FastTemplateError(ValueError):
    pass


def replace(template: str, params: Mapping[str, Any]) -> str:
    if not _TEMPLATED.search(template):
        return template
    out: list[str] = []
    rest = template
    while True:
        start = rest.find("{{")
        if start < 0:
            out.append(rest)
            return "".join(out)
        out.append(rest[:start])
        rest = rest[start + 2 :]
        end = rest.find("}}")
        if end < 0:
            raise FastTemplateError(
                f"invalid template: Cannot find end tag={json.dumps('}}')} in the template="
                f"{json.dumps(template, ensure_ascii=False)} starting from {json.dumps(rest, ensure_ascii=False)}"
            )
        tag = rest[:end]
        rest = rest[end + 2 :]
        key = tag.strip(_GO_SPACE)
        value = params.get(key) if key else None
        out.append(value if isinstance(value, str) else "{{" + tag + "}}")
