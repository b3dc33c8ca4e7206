"""report.md rendered as one self-contained HTML file: the plots embedded as data URIs."""

from __future__ import annotations

import base64
import re
from pathlib import Path

import markdown

STYLE = """
body { font-family: system-ui, sans-serif; max-width: 1200px; margin: 2em auto; padding: 0 1em;
       color: #222; line-height: 1.45; }
table { border-collapse: collapse; margin: 1em 0; font-size: 0.85em; }
th, td { border: 1px solid #ccc; padding: 0.25em 0.6em; }
th { background: #f2f2f2; }
tr:nth-child(even) td { background: #fafafa; }
img { max-width: 100%; }
code { background: #f4f4f4; padding: 0 0.2em; }
details img { max-width: 48%; }
"""


def _embed(html: str, base: Path) -> str:
    def data_uri(match: re.Match[str]) -> str:
        path = base / match.group(1)
        if not path.exists():
            return match.group(0)
        encoded = base64.b64encode(path.read_bytes()).decode("ascii")
        return f'src="data:image/png;base64,{encoded}"'

    return re.sub(r'src="([^"]+\.png)"', data_uri, html)


def render(report_md: Path, title: str) -> Path:
    body = markdown.markdown(report_md.read_text(), extensions=["tables", "md_in_html"])
    page = (
        f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>{title}</title>'
        f"<style>{STYLE}</style></head><body>\n{_embed(body, report_md.parent)}\n</body></html>\n"
    )
    out = report_md.with_suffix(".html")
    out.write_text(page)
    return out
