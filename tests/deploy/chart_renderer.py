"""Renders this project's Helm chart for the tests, without Helm.

Neither Helm nor its Python bindings can be had on this machine (Debian ships no helm;
`helm-sdkpy` needs Python 3.12), so the chart keeps to a small subset of Go templates and
this renders exactly that subset, refusing anything else so that the chart cannot drift
into constructs the test would render wrongly:

    {{ .A.b }}   {{ .A.b | quote }}   {{ $var }}   {{ $var | quote }}
    {{- toYaml .A.b | nindent N }}
    {{- if .A.b }} … {{- end }}   {{- if not .A.b }} … {{- end }}
    {{- range $k, $v := .A.b }} … {{- end }}

`{{-` trims the white space before the action, as in Go templates."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import yaml

ACTION = re.compile(r"(\s*)\{\{(-?)\s*(.*?)\s*(-?)\}\}", re.S)


def _lookup(path: str, scope: dict[str, Any]) -> Any:
    if path.startswith("$"):
        return scope[path]
    value: Any = scope
    for part in path.lstrip(".").split("."):
        value = value[part]
    return value


def _value(expr: str, scope: dict[str, Any]) -> str:
    m = re.fullmatch(r"toYaml (\S+) \| nindent (\d+)", expr)
    if m:
        text = yaml.safe_dump(_lookup(m[1], scope), default_flow_style=False).rstrip()
        pad = " " * int(m[2])
        return "\n" + "\n".join(pad + line for line in text.splitlines())
    m = re.fullmatch(r"(\S+) \| quote", expr)
    if m:
        return json.dumps(str(_lookup(m[1], scope)))
    if re.fullmatch(r"[.$][\w.$]*", expr):
        return str(_lookup(expr, scope))
    raise ValueError(f"template construct not supported by the test renderer: {expr!r}")


def _render(
    tokens: list[tuple[str, str, str]],
    i: int,
    scope: dict[str, Any],
    out: list[str],
    live: bool = True,
) -> int:
    """Render tokens from i until an unmatched `end`; return the index after it. When not
    `live` (a false `if`, an empty `range`), only find the matching `end`."""
    while i < len(tokens):
        kind, text, expr = tokens[i]
        if kind == "text":
            if live:
                out.append(text)
            i += 1
            continue
        if expr == "end":
            return i + 1
        if expr.startswith("if "):
            cond = expr[3:]
            negate = cond.startswith("not ")
            truth = live and bool(_lookup(cond[4:] if negate else cond, scope)) != negate
            i = _render(tokens, i + 1, scope, out, live=truth)
            continue
        m = re.fullmatch(r"range (\$\w+), (\$\w+) := (\S+)", expr)
        if m:
            items = sorted(_lookup(m[3], scope).items()) if live else []
            end = _render(tokens, i + 1, scope, out, live=False)
            for key, value in items:
                _render(tokens, i + 1, {**scope, m[1]: key, m[2]: value}, out)
            i = end
            continue
        if live:
            out.append(_value(expr, scope))
        i += 1
    return i


def render_template(source: str, scope: dict[str, Any]) -> str:
    tokens: list[tuple[str, str, str]] = []
    pos = 0
    for m in ACTION.finditer(source):
        leading = m[1] if not m[2] else ""
        tokens.append(("text", source[pos : m.start()] + leading, ""))
        tokens.append(("action", "", m[3]))
        pos = m.end()
        if m[4]:
            pos += len(source[pos:]) - len(source[pos:].lstrip())
    tokens.append(("text", source[pos:], ""))
    out: list[str] = []
    _render(tokens, 0, scope, out)
    return "".join(out)


def render_chart(chart: Path, release: str = "ciam", overrides: dict | None = None) -> list[dict]:
    """Every manifest of the chart as parsed YAML documents."""
    values = yaml.safe_load((chart / "values.yaml").read_text())
    for key, value in (overrides or {}).items():
        values[key] = value
    meta = yaml.safe_load((chart / "Chart.yaml").read_text())
    scope = {
        "Values": values,
        "Release": {"Name": release, "Namespace": "default", "Revision": 1},
        "Chart": {"Name": meta["name"], "AppVersion": meta["appVersion"]},
    }
    docs: list[dict] = []
    for template in sorted((chart / "templates").glob("*.yaml")):
        text = render_template(template.read_text(), scope)
        docs.extend(d for d in yaml.safe_load_all(text) if d)
    return docs
