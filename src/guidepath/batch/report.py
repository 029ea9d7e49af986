"""The end-of-batch summary: a table in the terminal and an HTML report with a bar chart (inline
SVG, no script, readable offline)."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from jinja2 import Environment, select_autoescape

from guidepath.batch.runner import BatchOptions, Summary

TEMPLATE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>guidepath batch report</title>
<style>body{font:15px/1.5 system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem}
table{border-collapse:collapse}td,th{padding:.2rem .6rem;text-align:left}
td.n{text-align:right}svg text{font:12px system-ui,sans-serif}</style></head><body>
<h1>guidepath batch report</h1>
<p>Input <code>{{ options.input.name }}</code> → output <code>{{ options.output.name }}</code>;
{{ "necessity of " ~ options.procedure if options.procedure else "assessments" }}{{
" (compact)" if options.compact else "" }}.</p>
<p>{{ summary.rows }} rows ({{ summary.resumed }} from an earlier run), {{ summary.errors }}
errors; {{ summary.written_now }} written in {{ "%.1f"|format(summary.seconds) }} s
({{ "%.0f"|format(summary.rate) }} per second).</p>
{% for title, counts in groups %}{% if counts %}
<h2>{{ title }}</h2>
<svg role="img" aria-label="{{ title }}" width="640" height="{{ 24 * counts|length + 8 }}">
{% set top = counts[0][1] %}{% for name, n in counts %}
<text x="0" y="{{ 24 * loop.index0 + 17 }}">{{ name }}</text>
<rect x="260" y="{{ 24 * loop.index0 + 4 }}" height="16" fill="#2f6f8f"
 width="{{ (300 * n / top)|round(1) }}"></rect>
<text x="{{ 266 + (300 * n / top)|round(1) }}" y="{{ 24 * loop.index0 + 17 }}">{{ n }}</text>
{% endfor %}</svg>{% endif %}{% endfor %}
</body></html>
"""


def groups(summary: Summary) -> list[tuple[str, list[tuple[str, int]]]]:
    """The summary's counts as (title, [(name, count), ...]) largest first."""
    named: list[tuple[str, Counter[str]]] = [
        ("Determinations", summary.by_determination),
        ("Pathway stages", summary.by_stage),
        ("Primary actions", summary.by_primary),
    ]
    return [(title, counts.most_common()) for title, counts in named]


def write_html(summary: Summary, options: BatchOptions, path: Path) -> None:
    """The HTML report."""
    environment = Environment(autoescape=select_autoescape(default=True))
    html = environment.from_string(TEMPLATE).render(
        summary=summary, options=options, groups=groups(summary)
    )
    path.write_text(html, encoding="utf-8")


def print_summary(summary: Summary) -> None:
    """The summary as tables in the terminal."""
    from rich.console import Console
    from rich.table import Table

    console = Console(stderr=True)
    console.print(
        f"{summary.rows} rows ({summary.resumed} resumed), {summary.errors} errors, "
        f"{summary.written_now} written in {summary.seconds:.1f} s ({summary.rate:.0f}/s)"
    )
    for title, counts in groups(summary):
        if counts:
            table = Table(title=title)
            table.add_column("")
            table.add_column("count", justify="right")
            for name, count in counts:
                table.add_row(name, str(count))
            console.print(table)
