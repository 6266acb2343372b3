"""Gradio's MCP server (6.31), mended where a standard MCP client could not use the app's answers:
each wrapper below keeps Gradio's own method and changes only what it got wrong for this app's tools,
and tests/test_mcp.py calls every tool as a client does, so an upgrade that changes them fails there.

- A client that sends no progress token (the Python SDK's default) got an endpoint of several outputs
  back as one text block of a Python repr, images lost: each output is now its own content.
- Numbers came back as Python reprs (single quotes, True, None): dicts and lists are now JSON text.
- A default that is falsy (z1 = 0, seed 0) was left out of the schema: every default is now in it.
- A file parameter's schema kept pydantic's leftovers, and its description sent the agent to an
  `upload_file_to_gradio` tool this server does not have: it now says what the tool takes, a URL."""

import json
from typing import Any

from gradio.mcp import GradioMCPServer
from gradio_client.utils import is_file_obj_with_meta

FILE_INPUT = {"type": "string", "format": "uri"}
FILE_HINT = " Images are passed as an http(s) URL or a data: URL (data:image/png;base64,...)."


def every_output(execute: Any) -> Any:
    async def without_progress(self: GradioMCPServer, job: Any) -> list[Any]:
        """The final outputs, one item each (Gradio's own wraps several outputs' tuple in one item)."""
        [result] = await execute(self, job)
        return list(result) if isinstance(result, tuple) else [result]

    return without_progress


def is_data(value: Any) -> bool:
    """A dict or list that is not a file: the numbers of an answer."""
    return isinstance(value, dict | list) and not is_file_obj_with_meta(value)


def json_text(postprocess: Any) -> Any:
    def as_content(self: GradioMCPServer, data: Any, root_url: str) -> list:
        """Files as Gradio makes them (images as image content); every other dict or list as JSON."""
        data = [json.dumps(value) if is_data(value) else value for value in data]
        return postprocess(self, data, root_url)

    return as_content


def full_schema(get_schema: Any) -> Any:
    def schema_of(
        self: GradioMCPServer, tool_name: str, parameters: dict[str, str] | None = None
    ) -> tuple[dict[str, Any], list]:
        """Gradio's schema with every default in it, and each top-level file parameter a plain URL string."""
        schema, file_positions = get_schema(self, tool_name, parameters)
        endpoint = self.api_info["named_endpoints"][self.tool_to_endpoint[tool_name]]
        for parameter in endpoint["parameters"]:
            prop = schema["properties"][parameter["parameter_name"]]
            if parameter.get("parameter_has_default") and parameter["parameter_default"] is not None:
                prop.setdefault("default", parameter["parameter_default"])
            if [parameter["parameter_name"]] in file_positions:
                description = prop.get("description")
                prop.clear()
                prop.update(FILE_INPUT, **({"description": description} if description else {}))
        return schema, file_positions

    return schema_of


def mend_gradio_mcp() -> None:
    """Wrap Gradio's MCP server's methods, once."""
    if getattr(GradioMCPServer, "mended_for_the_playground", False):
        return
    server = GradioMCPServer
    server._execute_tool_without_progress = every_output(server._execute_tool_without_progress)
    server.postprocess_output_data = json_text(server.postprocess_output_data)
    server.get_input_schema = full_schema(server.get_input_schema)
    server._file_data_tool_description = property(lambda self: FILE_HINT)
    server.mended_for_the_playground = True
