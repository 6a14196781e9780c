"""Checking captured requests against Discord's own OpenAPI description of its HTTP API.

The description (OpenAPI 3.1, so its schemas are JSON Schema 2020-12) is
committed trimmed to what the tests use, in ``tests/data/discord-api-spec/``:
the routes the stand-in serves and the schemas checked by name, with every
component they reach (MIT, Discord's; see ``tests/data/README.md``).

Snowflakes: the spec types them as digit strings, but discord.py sends some
as JSON integers (``message_reference.message_id``, ``allowed_mentions.users``
…) and Discord accepts both. Rather than rewriting every integer in a body to
a string (which would also excuse an integer where the spec wants e.g.
``content``), the loaded copy of the spec lets ``SnowflakeType`` accept a
non-negative integer too — the same as converting integer snowflakes to
strings, but only where the spec says "snowflake".
"""

from __future__ import annotations

import functools
import json
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import jsonschema
from jsonschema.exceptions import best_match
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from .capture import CapturedRequest

SPEC_PATH = Path(__file__).resolve().parents[1] / "data" / "discord-api-spec" / "openapi.json"

_DOCUMENT_URI = "urn:discord:openapi"
_JSON = "application/json"


class SpecViolation(AssertionError):
    """A request (or response) the stand-in captured does not match Discord's OpenAPI description."""


class DiscordOpenAPI:
    """The loaded description, with validators built on demand and cached per schema location."""

    def __init__(self, document: dict[str, Any]) -> None:
        snowflake = document["components"]["schemas"]["SnowflakeType"]
        document["components"]["schemas"]["SnowflakeType"] = snowflake | {"type": ["string", "integer"], "minimum": 0}
        self._document = document
        resource = Resource.from_contents(document, default_specification=DRAFT202012)
        self._registry: Registry[Any] = Registry().with_resource(_DOCUMENT_URI, resource)
        self._validators: dict[str, jsonschema.protocols.Validator] = {}

    def request_errors(self, request: CapturedRequest) -> list[str]:
        """Why the request's JSON body (``payload_json`` for multipart) breaks its route's requestBody schema.

        Non-API requests (attachment downloads) have nothing to check; a
        route or method the description lacks is itself an error.
        """
        if not request.is_api:
            return []
        operation = self._operation(request)
        if isinstance(operation, str):
            return [operation]
        body = operation.get("requestBody")
        if body is None:
            return [] if request.json is None else [f"{request.route}: sends a body but the spec defines none"]
        if request.json is None:
            return [f"{request.route}: the spec requires a body"] if body.get("required") else []
        if _JSON not in body["content"]:
            return [f"{request.route}: the spec accepts no JSON body"]
        pointer = _pointer("paths", request.template, request.method.lower(), "requestBody", "content", _JSON, "schema")
        return self._errors(pointer, request.json, f"{request.route} request")

    def response_errors(self, request: CapturedRequest) -> list[str]:
        """Why the stand-in's JSON answer breaks the response schema for its status (stand-in realism)."""
        operation = self._operation(request)
        if isinstance(operation, str):
            return [operation]
        response = operation["responses"].get(str(request.status))
        if response is None:
            return [f"{request.route}: the spec defines no {request.status} response"]
        if _JSON not in response.get("content", {}):
            return (
                [] if request.response_json is None else [f"{request.route}: {request.status} should have no JSON body"]
            )
        pointer = _pointer(
            "paths",
            request.template,
            request.method.lower(),
            "responses",
            str(request.status),
            "content",
            _JSON,
            "schema",
        )
        return self._errors(pointer, request.response_json, f"{request.route} {request.status} response")

    def schema_errors(self, schema_name: str, instance: Any) -> list[str]:
        """Why ``instance`` breaks ``#/components/schemas/<schema_name>`` (e.g. a gateway payload's user object)."""
        return self._errors(_pointer("components", "schemas", schema_name), instance, schema_name)

    def validate_request(self, request: CapturedRequest) -> None:
        """Raise :class:`SpecViolation` unless the request body matches the spec."""
        errors = self.request_errors(request)
        if errors:
            raise SpecViolation("\n".join(errors))

    def validate_requests(self, requests: Iterable[CapturedRequest]) -> None:
        """Raise one :class:`SpecViolation` listing every known-route request whose body breaks the spec."""
        errors = [error for request in requests if request.known for error in self.request_errors(request)]
        if errors:
            raise SpecViolation(
                f"{len(errors)} request(s) the bot sent break Discord's OpenAPI description:\n" + "\n".join(errors)
            )

    def _operation(self, request: CapturedRequest) -> dict[str, Any] | str:
        path_item = self._document["paths"].get(request.template)
        if path_item is None or request.method.lower() not in path_item:
            return f"{request.route}: not in Discord's OpenAPI description"
        operation: dict[str, Any] = path_item[request.method.lower()]
        return operation

    def _errors(self, pointer: str, instance: Any, label: str) -> list[str]:
        validator = self._validators.get(pointer)
        if validator is None:
            validator = jsonschema.Draft202012Validator({"$ref": f"{_DOCUMENT_URI}#{pointer}"}, registry=self._registry)
            self._validators[pointer] = validator
        return [f"{label}: {_reason(error)}" for error in validator.iter_errors(instance)]


def _pointer(*segments: str) -> str:
    """A URI-fragment JSON pointer: ``~``/``/`` escaped per RFC 6901, then percent-encoded."""
    return "".join("/" + quote(s.replace("~", "~0").replace("/", "~1"), safe="~@") for s in segments)


def _reason(error: jsonschema.ValidationError) -> str:
    """Where and why, as specific as possible.

    ``best_match`` descends into ``anyOf``/``oneOf`` branches when one is
    clearly closest; when none is, the error would only repeat the whole body
    and say "not valid under any", so the deepest failure among the branches
    is named instead (for ``{"type": 99}``: ``$.type`` is not an allowed value).
    """
    specific = best_match([error])
    if not specific.context:
        return f"at {specific.json_path}: {specific.message}"
    closest = max(_leaves(specific), key=lambda leaf: len(leaf.absolute_path))
    closest_reason = f"closest: at {closest.json_path}: {closest.message}"
    return f"at {specific.json_path}: matches none of the allowed shapes; {closest_reason}"


def _leaves(error: jsonschema.ValidationError) -> Iterator[jsonschema.ValidationError]:
    for branch in error.context:
        if branch.context:
            yield from _leaves(branch)
        else:
            yield branch


@functools.cache
def load_spec(path: Path = SPEC_PATH) -> DiscordOpenAPI:
    """The description at ``path``, loaded once per test session."""
    return DiscordOpenAPI(json.loads(path.read_text(encoding="utf-8")))
