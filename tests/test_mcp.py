"""The app as an agent sees it: a standard MCP client (the `mcp` package over streamable HTTP) lists the
tools and calls every one, with valid arguments and with one bad argument each."""

import asyncio
import base64
import io
import json
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numpy as np
import pytest
from gradio_client import Client
from mcp import ClientSession
from mcp.client.streamable_http import streamable_http_client
from PIL import Image

from playground.generate import Generator
from tests.conftest import draw_four, serve


def data_url(image: Image.Image) -> str:
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()


FOUR = data_url(Image.fromarray(draw_four(400, 80, 60, 280, 30)))
BLANK = data_url(Image.new("RGBA", (400, 400)))
# tool: (valid arguments, how many images it answers, the JSON answer's fields)
CALLS = {
    "decode": ({"z1": 1.5, "z2": -0.5}, 1, {"class", "probability", "sure", "probabilities"}),
    "random": ({"seed": 3, "sampler": "prior"}, 1, {"z", "reading"}),
    "sample_grid": ({"seed": 3, "temperature": 0.5}, 1, {"z", "readings", "sure_share"}),
    "reconstruct": (
        {"dataset": "mnist", "drawing": FOUR},
        3,
        {"reconstruction", "kl", "elbo", "mu", "sigma", "kl_per_dim", "reading"},
    ),
    "interpolate": ({"start": FOUR, "steps": 4}, 1, {"start", "end", "method", "steps", "z"}),
    "latent_map": ({"z1": 1.0, "z2": -1.0, "view": "holes"}, 2, {"z", "reading"}),
    "posterior": ({"drawing": FOUR}, 1, {"image", "elbo", "log_px", "gap", "k", "mu", "sigma"}),
    "compare_ae": ({"seed": 2}, 4, {"seed", "samples", "ae_sure_share", "vae_sure_share"}),
    "train": ({"epochs": 1, "beta": 0.5}, 3, None),  # its JSON is a list of epochs
}
# tool: (arguments with one bad, the line the tool answers)
BAD_CALLS = {
    "decode": ({"z1": 9}, "z1 must be a number from -3 to 3, not 9."),
    "random": ({"temperature": 5}, "temperature must be a number from 0 to 2, not 5."),
    "sample_grid": (
        {"seed": -7},
        "seed must be -1 (a new draw each time) or a whole number from 0 to 2147483647, not -7.",
    ),
    "reconstruct": (
        {"dataset": "mnist", "drawing": BLANK},
        "drawing: No digit found: draw one with dark strokes on the pad.",
    ),
    "interpolate": ({"steps": 40}, "steps must be a whole number from 2 to 16, not 40."),
    "latent_map": ({"z2": -9.5}, "z2 must be a number from -4 to 4, not -9.5."),
    "posterior": ({"dataset": "fashion-mnist", "drawing": BLANK}, "drawing: No digit found"),
    "compare_ae": ({"seed": -5}, "seed must be -1 (a new draw each time) or a whole number"),
    "train": ({"epochs": 99}, "epochs must be a whole number from 1 to 30, not 99."),
}


@pytest.fixture(scope="module")
def url() -> Iterator[str]:
    with serve() as address:
        yield address


def with_session(url: str, work: Any) -> Any:
    """Run work(session) in a fresh MCP session with the app, as a client on its own would: on a thread
    of its own, as the browser tests' Playwright keeps an event loop running on the main one."""

    async def run() -> Any:
        async with (
            streamable_http_client(url + "gradio_api/mcp/") as (read, write, _),
            ClientSession(read, write) as session,
        ):
            await session.initialize()
            return await work(session)

    with ThreadPoolExecutor(max_workers=1) as thread:
        return thread.submit(asyncio.run, run()).result()


@pytest.fixture(scope="module")
def tools(url: str) -> dict:
    async def listed(session: ClientSession) -> dict:
        return {tool.name: tool for tool in (await session.list_tools()).tools}

    return with_session(url, listed)


def test_every_endpoint_is_a_tool_of_the_same_name_described_for_a_program(url: str, tools: dict) -> None:
    endpoints = Client(url, verbose=False).view_api(print_info=False, return_format="dict")["named_endpoints"]
    assert set(tools) == {name.removeprefix("/") for name in endpoints} == set(CALLS)
    for name, tool in tools.items():
        schema, parameters = tool.inputSchema, endpoints[f"/{name}"]["parameters"]
        assert list(schema["properties"]) == [p["parameter_name"] for p in parameters]
        for parameter in parameters:
            prop = schema["properties"][parameter["parameter_name"]]
            assert prop["description"], (name, parameter["parameter_name"])
            if parameter["parameter_has_default"] and parameter["parameter_default"] is not None:
                assert prop["default"] == parameter["parameter_default"], (name, prop)
        assert "upload_file_to_gradio" not in tool.description and "Returns:" in tool.description
        assert "$ref" not in json.dumps(schema) and "$defs" not in json.dumps(schema)
    assert tools["decode"].inputSchema["properties"]["z16"]["default"] == 0
    assert tools["reconstruct"].inputSchema["required"] == ["dataset", "drawing"]
    assert tools["reconstruct"].inputSchema["properties"]["drawing"]["format"] == "uri"


def answer_of(result: Any, images: int, fields: set[str] | None) -> tuple[list[np.ndarray], Any]:
    """The images (decoded PNGs) and the JSON data of a tool's answer, checked for their number and fields."""
    assert not result.isError, result.content
    pictures = [
        np.asarray(Image.open(io.BytesIO(base64.b64decode(content.data))))
        for content in result.content
        if content.type == "image" and content.mimeType == "image/png"
    ]
    texts = [content.text for content in result.content if content.type == "text"]
    assert len(pictures) == images and len(texts) == images + 1  # each image's URL, then the data
    data = json.loads(texts[-1])
    if fields is not None:
        assert set(data) >= fields
    return pictures, data


@pytest.mark.parametrize("tool", list(CALLS))
def test_every_tool_answers_images_and_json_to_a_plain_client(url: str, tool: str) -> None:
    arguments, images, fields = CALLS[tool]

    async def call(session: ClientSession) -> Any:
        return await session.call_tool(tool, arguments)

    pictures, data = answer_of(with_session(url, call), images, fields)
    assert all(picture.size > 0 for picture in pictures)
    if tool == "decode":
        expected = Generator.from_folder().decode(1.5, -0.5, *[0.0] * 14)[0]
        assert np.array_equal(pictures[0], np.asarray(expected))
    if tool == "reconstruct":
        assert data["reading"]["class"] == "4" and len(data["mu"]) == 16
    if tool == "train":
        assert [epoch["epoch"] for epoch in data] == [0, 1]


def test_a_client_that_follows_progress_gets_the_same_answer(url: str) -> None:
    updates = []

    async def call(session: ClientSession) -> Any:
        async def progress(done: float, total: float | None, message: str | None) -> None:
            updates.append(message)

        return await session.call_tool("random", {"seed": 3}, progress_callback=progress)

    async def plain(session: ClientSession) -> Any:
        return await session.call_tool("random", {"seed": 3})

    followed = answer_of(with_session(url, call), 1, {"z", "reading"})
    assert followed[1] == answer_of(with_session(url, plain), 1, {"z", "reading"})[1]
    assert np.array_equal(followed[0][0], answer_of(with_session(url, plain), 1, None)[0][0])
    assert updates


@pytest.mark.parametrize("tool", list(BAD_CALLS))
def test_every_tool_answers_a_bad_argument_in_one_line_naming_it(url: str, tool: str) -> None:
    arguments, message = BAD_CALLS[tool]

    async def call(session: ClientSession) -> Any:
        return await session.call_tool(tool, arguments)

    result = with_session(url, call)
    [content] = result.content
    assert result.isError and content.text.startswith(message) and "\n" not in content.text

    async def still(session: ClientSession) -> Any:
        return await session.call_tool("decode", {})

    answer_of(with_session(url, still), 1, {"class"})
