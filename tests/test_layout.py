"""One job a file, read from the code itself: the three layers import only downwards, no module imports
itself through others (a lazy import inside a function counts), no product function runs past 60 lines,
and the shared helpers do what they promise."""

import ast
import subprocess
import sys
from pathlib import Path

import gradio as gr
import pytest

from ui import launch, links

ROOT = Path(__file__).resolve().parent.parent
LAYERS = {"vae": 0, "playground": 1, "ui": 2, "app": 3}  # each may import only the ones before it
PRODUCT = [*ROOT.glob("vae/*.py"), *ROOT.glob("playground/*.py"), *ROOT.glob("ui/*.py"), ROOT / "app.py"]
PRODUCT += [ROOT / "deploy.py", ROOT / "space_check.py"]


def module_name(path: Path) -> str:
    return ".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")


def imports(path: Path) -> set[str]:
    """The project modules a file imports anywhere in it, at its top or inside a function."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found |= {f"{node.module}.{alias.name}" for alias in node.names}
    project = {module_name(path) for path in PRODUCT}
    return {name for name in found if name in project}


GRAPH = {module_name(path): imports(path) for path in PRODUCT}


def test_each_layer_imports_only_the_layers_below_it() -> None:
    upwards = [
        (module, imported)
        for module, imported_all in GRAPH.items()
        if module.split(".")[0] in LAYERS
        for imported in imported_all
        if imported.split(".")[0] in LAYERS and LAYERS[imported.split(".")[0]] > LAYERS[module.split(".")[0]]
    ]
    assert upwards == []


def test_no_module_imports_itself_through_others() -> None:
    def cycle_from(start: str) -> list[str] | None:
        stack = [(start, [start])]
        seen = set()
        while stack:
            module, path = stack.pop()
            for imported in GRAPH.get(module, ()):
                if imported == start:
                    return [*path, start]
                if imported not in seen:
                    seen.add(imported)
                    stack.append((imported, [*path, imported]))
        return None

    cycles = [cycle for module in GRAPH if (cycle := cycle_from(module))]
    assert cycles == []


def test_no_product_function_runs_past_60_lines() -> None:
    long = [
        f"{path.relative_to(ROOT)}:{node.lineno} {node.name} ({node.end_lineno - node.lineno + 1} lines)"
        for path in PRODUCT
        for node in ast.walk(ast.parse(path.read_text()))
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.end_lineno - node.lineno >= 60
    ]
    assert long == []


def test_the_models_layer_loads_neither_spaces_nor_gradio() -> None:
    """ZeroGPU's `spaces` is the GPU entry point's alone (playground/gpu.py)."""
    check = (
        "import sys, playground.bundle, playground.train\n"
        "print(sorted({'spaces', 'gradio'} & set(sys.modules)))"
    )
    done = subprocess.run(
        [sys.executable, "-c", check], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == "[]"


def test_the_linked_components_must_be_links_keys_in_order_on_their_elements() -> None:
    with gr.Blocks():
        components = {key: gr.Number(elem_id=element) for key, element in links.LINKED.items()}
        components["z"] = [gr.Slider(elem_id=f"slider-z{i}") for i in (1, 2)]
        assert len(links.in_link_order(components)) == len(links.LINKED) + 1
        swapped = dict(reversed(list(components.items())))
        with pytest.raises(links.LinkedMismatch, match="keys"):
            links.in_link_order(swapped)
        components["map"] = gr.Radio(elem_id="compare-sampler")
        with pytest.raises(links.LinkedMismatch, match="'map' is on #compare-sampler"):
            links.in_link_order(components)


def test_a_started_app_that_never_answers_fails_when_its_deadline_passes(tmp_path: Path) -> None:
    (tmp_path / "silent.py").write_text("import time\ntime.sleep(60)\n")
    with (
        pytest.raises(launch.AppDidNotStart, match=r"did not answer .* within 1 s"),
        launch.app_process(tmp_path, "silent.py", timeout=1),
    ):
        pytest.fail("yielded a URL no page answers at")


def test_a_started_app_that_exits_says_what_it_printed(tmp_path: Path) -> None:
    (tmp_path / "broken.py").write_text("import sys\nsys.exit('no weights here')\n")
    with (
        pytest.raises(launch.AppDidNotStart, match="exited with code 1: no weights here"),
        launch.app_process(tmp_path, "broken.py", timeout=30),
    ):
        pytest.fail("yielded a URL for an app that exited")
