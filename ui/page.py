"""The page's own plumbing, shared by every tab: where its scripts and files are served from, how Gradio's
js functions wait for a script, and the <head> that carries the page's data (window.vaePage) and scripts."""

import json
from pathlib import Path

STATIC = Path(__file__).resolve().parent / "static"
SCRIPT_WAIT_MS = 20_000  # a script that has not run by then failed to load: the page goes on without it


def static_url(path: Path) -> str:
    """Where the page fetches a file that gr.set_static_paths serves, relative to the page."""
    return f"gradio_api/file={path}"


def script_ready(name: str, wait_ms: int = SCRIPT_WAIT_MS) -> str:
    """JS: a promise of whether the page script that sets window.<name> has run. The scripts load on
    their own, and with server-side rendering Gradio may call a js function before they have; one that
    never runs (blocked, failed) resolves false after wait_ms, so nothing waits forever."""
    return (
        "new Promise((resolve) => { const start = Date.now(); const check = () => "
        f"window.{name} ? resolve(true) : Date.now() - start > {wait_ms} ? resolve(false) "
        ": setTimeout(check, 10); check(); })"
    )


def head(config: dict, scripts: list[Path], style: str) -> str:
    """The page's <head> additions: window.vaePage (what the scripts read), a style sheet, then the
    scripts in the order given."""
    tags = "".join(f'<script src="{static_url(path)}"></script>' for path in scripts)
    return f"<script>window.vaePage = {json.dumps(config)};</script><style>{style}</style>{tags}"


FOLDS = ("help", "figures")  # the classes of what folded() folds: explanations, and measured figures


def folded(summary: str, body: str, kind: str = "help") -> str:
    """Markdown that shows one summary line and opens on a click (or Enter) to the body: the page's longer
    explanations (kind "help", which a link's hide=help hides) and figures (kind "figures")."""
    if kind not in FOLDS:
        raise ValueError(f"a fold is one of {FOLDS}, not {kind!r}")
    return f'<details class="{kind}"><summary>{summary}</summary>\n\n{body.strip()}\n\n</details>'
