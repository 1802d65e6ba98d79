"""Discord's published OpenAPI description as the fake's referee.

Every request the fake receives under /api/v10 is matched to its operation in the vendored spec
(tests/discord_api_spec/openapi.json, a pruned copy of github.com/discord/discord-api-spec, MIT)
and its path parameters, query and JSON body are validated against the spec's schemas with
`jsonschema` (OpenAPI 3.1 schemas are JSON Schema 2020-12). A request the spec refuses gets what
Discord answers: 400, code 50035 "Invalid Form Body", and the nested `errors` tree naming each
field. The fake's own answers are validated too (status code and body shape): a fake that
answered differently from Discord would let the bot agree with the fake instead of Discord.

Formats are checked the way Discord checks them: `uri` (http, https or attachment, with a host),
`date-time` (ISO 8601 with a time zone), `snowflake`. Limits the schema does not encode (embed
totals, command name pattern, the 8,000-character command total, interaction token lifetime, the
3-second rule) live in server.py beside the routes they concern.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from jsonschema import Draft202012Validator, FormatChecker
from jsonschema.exceptions import ValidationError
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

SPEC_PATH = Path(__file__).resolve().parents[1] / "discord_api_spec" / "openapi.json"
API_PREFIX = "/api/v10"
_SPEC_URI = "urn:discord-openapi"

# Discord's field-error codes for the JSON Schema keyword that failed.
_ERROR_CODES = {
    "maxLength": ("BASE_TYPE_MAX_LENGTH", "Must be {limit} or fewer in length."),
    "minLength": ("BASE_TYPE_MIN_LENGTH", "Must be {limit} or more in length."),
    "maxItems": ("BASE_TYPE_MAX_LENGTH", "Must be {limit} or fewer in length."),
    "minItems": ("BASE_TYPE_MIN_LENGTH", "Must be {limit} or more in length."),
    "maximum": ("NUMBER_TYPE_MAX", "int value should be less than or equal to {limit}."),
    "minimum": ("NUMBER_TYPE_MIN", "int value should be greater than or equal to {limit}."),
    "required": ("BASE_TYPE_REQUIRED", "This field is required"),
    "enum": ("BASE_TYPE_CHOICES", "Value must be one of {limit}."),
    "const": ("BASE_TYPE_CHOICES", "Value must be one of {limit}."),
    "pattern": ("STRING_TYPE_REGEX", "String value did not match validation regex."),
    "uniqueItems": ("SET_TYPE_ALREADY_CONTAINS_VALUE", "The set already contains this value."),
    "maxProperties": ("BASE_TYPE_MAX_LENGTH", "Must be {limit} or fewer in length."),
}
_TYPE_CODES = {
    "string": "BASE_TYPE_STRING", "integer": "NUMBER_TYPE_COERCE", "number": "NUMBER_TYPE_COERCE",
    "boolean": "BASE_TYPE_BOOLEAN", "array": "BASE_TYPE_LIST", "object": "DICT_TYPE_CONVERT",
}

_formats = FormatChecker(formats=())


@_formats.checks("uri", raises=ValueError)
def _is_discord_url(value: object) -> bool:
    # Embed and icon URLs: "only supports http(s) and attachments" (docs/resources/message.md).
    if not isinstance(value, str):
        return True
    parts = urlsplit(value)
    return parts.scheme in ("http", "https", "attachment") and bool(parts.netloc) and not re.search(r"\s", value)


@_formats.checks("date-time", raises=ValueError)
def _is_iso_timestamp(value: object) -> bool:
    if not isinstance(value, str):
        return True
    moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return moment.tzinfo is not None


@_formats.checks("snowflake", raises=ValueError)
def _is_snowflake(value: object) -> bool:
    return not isinstance(value, str) or (value.isdigit() and int(value) < 2**64)


@dataclass(frozen=True)
class Operation:
    template: str  # the spec's path template, e.g. /channels/{channel_id}/messages
    method: str
    pattern: re.Pattern[str]
    definition: Mapping[str, Any]
    path_parameters: Mapping[str, Any]  # route-level parameters, by name

    @property
    def operation_id(self) -> str:
        return str(self.definition.get("operationId", f"{self.method} {self.template}"))

    def parameters(self, where: str) -> list[Mapping[str, Any]]:
        own = [p for p in self.definition.get("parameters", []) if p.get("in") == where]
        inherited = [p for p in self.path_parameters.values() if p.get("in") == where]
        return inherited + own


@dataclass(frozen=True)
class FieldError:
    path: tuple[str | int, ...]
    code: str
    message: str


class DiscordSpec:
    """The vendored OpenAPI description, compiled for matching and validating requests."""

    def __init__(self, document: Mapping[str, Any]) -> None:
        self.document = document
        self._registry: Registry[Any] = Registry().with_resource(
            _SPEC_URI, Resource.from_contents(dict(document), default_specification=DRAFT202012)
        )
        self._validators: dict[int, Draft202012Validator] = {}
        self.operations: list[Operation] = []
        for template, route in document["paths"].items():
            shared = {p["name"]: p for p in route.get("parameters", [])}
            regex = "^" + re.sub(r"\\\{(\w+)\\\}", r"(?P<\1>[^/]+)", re.escape(template)) + "$"
            for method, definition in route.items():
                if method == "parameters":
                    continue
                self.operations.append(Operation(template, method, re.compile(regex), definition, shared))
        # Literal segments win over parameters (/messages/@original before /messages/{id}).
        self.operations.sort(key=lambda op: op.template.count("{"))

    @classmethod
    @cache
    def load(cls) -> DiscordSpec:
        return cls(json.loads(SPEC_PATH.read_text(encoding="utf-8")))

    def _validator(self, schema: Mapping[str, Any]) -> Draft202012Validator:
        key = id(schema)
        if key not in self._validators:
            # Refs in an inline schema ("#/components/...") point into the whole document.
            self._validators[key] = Draft202012Validator(
                _absolute_refs(schema), registry=self._registry, format_checker=_formats
            )
        return self._validators[key]

    def match(self, method: str, path: str) -> tuple[Operation, dict[str, str]] | None:
        """The operation for `METHOD /api/v10/...`, with its path parameters; None if the spec lacks it."""
        if not path.startswith(API_PREFIX + "/"):
            return None
        local = path[len(API_PREFIX):]
        for operation in self.operations:
            if operation.method != method.lower():
                continue
            found = operation.pattern.match(local)
            if found is not None:
                return operation, found.groupdict()
        return None

    def check_request(
        self,
        operation: Operation,
        path_values: Mapping[str, str],
        query: Mapping[str, str],
        body: Any,
        *,
        has_body: bool,
    ) -> list[FieldError]:
        """Every way the request breaks the spec, as Discord's field errors (empty: valid)."""
        problems: list[FieldError] = []
        for parameter in operation.parameters("path"):
            name = parameter["name"]
            problems += self._check_value(parameter["schema"], path_values.get(name, ""), (name,))
        for parameter in operation.parameters("query"):
            name = parameter["name"]
            if name in query:
                value = _coerce_query(parameter["schema"], query[name])
                problems += self._check_value(parameter["schema"], value, (name,))
        request_body = operation.definition.get("requestBody")
        if request_body is None:
            return problems
        schema = request_body.get("content", {}).get("application/json", {}).get("schema")
        if not has_body:
            if request_body.get("required"):
                problems.append(FieldError((), "BASE_TYPE_REQUIRED", "This field is required"))
            return problems
        if schema is not None:
            problems += self._check_value(schema, body, ())
        return problems

    def check_response(self, operation: Operation, status: int, body: Any) -> list[str]:
        """Ways the fake's answer differs from what the spec says Discord answers (empty: fine)."""
        responses = operation.definition.get("responses", {})
        declared = responses.get(str(status)) or responses.get(f"{str(status)[0]}XX") or responses.get("default")
        if declared is None:
            return [f"{operation.operation_id}: status {status} is not one the spec lists ({sorted(responses)})"]
        if "$ref" in declared:
            declared = self.resolve(declared["$ref"])
        schema = declared.get("content", {}).get("application/json", {}).get("schema")
        if schema is None:
            return [] if body is None else [f"{operation.operation_id}: {status} has no body in the spec"]
        errors = sorted(self._validator(schema).iter_errors(body), key=lambda e: list(e.absolute_path))
        return [f"{operation.operation_id} {status}: {_describe(e)}" for e in errors]

    def resolve(self, ref: str) -> Mapping[str, Any]:
        node: Any = self.document
        for part in ref.removeprefix("#/").split("/"):
            node = node[part]
        return node  # type: ignore[no-any-return]

    def _check_value(self, schema: Mapping[str, Any], value: Any, prefix: tuple[str | int, ...]) -> list[FieldError]:
        return [_field_error(error, prefix) for error in self._validator(schema).iter_errors(value)]


def _absolute_refs(node: Any) -> Any:
    if isinstance(node, Mapping):
        return {k: (_SPEC_URI + v if k == "$ref" and isinstance(v, str) and v.startswith("#") else _absolute_refs(v))
                for k, v in node.items()}
    if isinstance(node, list):
        return [_absolute_refs(v) for v in node]
    return node


def _coerce_query(schema: Mapping[str, Any], raw: str) -> Any:
    """Query strings are text; compare them as the type their schema names."""
    kinds = schema.get("type", [])
    kinds = [kinds] if isinstance(kinds, str) else kinds
    if "integer" in kinds:
        try:
            return int(raw)
        except ValueError:
            return raw
    if "boolean" in kinds:
        # Discord reads query booleans as true/false or 1/0, any case.
        return {"true": True, "false": False, "1": True, "0": False}.get(raw.lower(), raw)
    return raw


def _deepest(error: ValidationError) -> ValidationError:
    """The error to report for a failed union: the branch meant for this value, the field inside it.

    A union (`oneOf: [null, Embed]`, or the callback shapes told apart by `type`) fails as a whole;
    Discord names the field inside the shape the value was meant to be. Branches that refuse the
    value's kind outright (wrong JSON type, wrong discriminating `type`) are not the meant one.
    """
    while error.validator in ("anyOf", "oneOf", "allOf") and error.context:
        branches: dict[Any, list[ValidationError]] = {}
        for sub in error.context:
            branches.setdefault(sub.schema_path[0] if sub.schema_path else None, []).append(sub)
        meant = [errors for errors in branches.values() if not any(_refuses_kind(e, error) for e in errors)]
        if not meant:
            break  # no branch takes this kind of value: the union itself is the error
        error = max((e for errors in meant for e in errors), key=lambda e: len(e.absolute_path))
    return error


def _refuses_kind(sub: ValidationError, parent: ValidationError) -> bool:
    depth = len(sub.absolute_path) - len(parent.absolute_path)
    if depth == 0 and sub.validator in ("type", "const", "enum"):
        return True
    return depth == 1 and sub.absolute_path[-1] == "type" and sub.validator in ("enum", "const")


def _field_error(error: ValidationError, prefix: tuple[str | int, ...]) -> FieldError:
    error = _deepest(error)
    path = (*prefix, *error.absolute_path)
    keyword = str(error.validator)
    if keyword == "required":
        missing = re.match(r"'([^']+)' is a required property", error.message)
        if missing:
            path = (*path, missing.group(1))
    if keyword == "type":
        expected = error.validator_value
        expected = next((k for k in ([expected] if isinstance(expected, str) else expected) if k != "null"), "object")
        return FieldError(path, _TYPE_CODES.get(expected, "BASE_TYPE_INVALID"), f"Must be of type {expected}.")
    if keyword == "format":
        codes = {"uri": ("URL_TYPE_INVALID_URL", "Not a well formed URL."),
                 "date-time": ("DATE_TYPE_PARSE", "Could not parse {value}. Should be ISO8601."),
                 "snowflake": ("NUMBER_TYPE_COERCE", "Value \"{value}\" is not snowflake.")}
        code, message = codes.get(str(error.validator_value), ("BASE_TYPE_INVALID", "Invalid value."))
        return FieldError(path, code, message.format(value=error.instance))
    if keyword in ("anyOf", "oneOf") and error.context:
        # Every shape refused the value's kind: name the allowed values (or discriminating types).
        for field in ((), ("type",)):
            choices: set[Any] = set()
            for sub in error.context:
                if tuple(sub.relative_path) == field and sub.validator in ("const", "enum"):
                    value = sub.validator_value
                    choices.update(value if isinstance(value, list) else [value])
            if choices:
                return FieldError((*path, *field), "BASE_TYPE_CHOICES", f"Value must be one of {sorted(choices, key=str)}.")
    if keyword not in _ERROR_CODES:
        return FieldError(path, "BASE_TYPE_INVALID", error.message[:200])
    code, message = _ERROR_CODES[keyword]
    return FieldError(path, code, message.format(limit=error.validator_value))


def _describe(error: ValidationError) -> str:
    error = _deepest(error)
    where = "/".join(str(p) for p in error.absolute_path) or "(body)"
    return f"{where}: {error.message[:300]}"


def error_tree(problems: Iterable[FieldError]) -> dict[str, Any]:
    """Discord's nested `errors` object: each path down to `_errors: [{code, message}]`."""
    tree: dict[str, Any] = {}
    for problem in problems:
        node = tree
        for part in problem.path:
            node = node.setdefault(str(part), {})
        entry = {"code": problem.code, "message": problem.message}
        if entry not in node.setdefault("_errors", []):
            node["_errors"].append(entry)
    return tree
