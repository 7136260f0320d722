"""
Schemathesis hooks for `npm run fuzz` (dev/fuzz.ts): the rules of the engine's API that JSON Schema
cannot state, read from the OpenAPI document itself, so generated requests the API must accept
are really acceptable; and, for the run as another partner, the check that every answer is 404.
"""

import os
import zoneinfo
from datetime import datetime, timedelta, timezone

import schemathesis
from hypothesis.internal import lambda_sources

# CPython 3.11 before 3.11.8 can fail ast.parse when threads parse at once ("AST constructor
# recursion depth mismatch", python/cpython#106905); Hypothesis parses a lambda's source only to
# describe it in a strategy's repr, so a plain name does when that fails.
_describe_lambda = lambda_sources.lambda_description


def _lambda_description(f):
    try:
        return _describe_lambda(f)
    except SystemError:
        return "lambda"


lambda_sources.lambda_description = _lambda_description

ZONES = zoneinfo.available_timezones() | {"UTC"}


def _instant(value):
    """A date or date-time as the API reads it (a date is midnight UTC); None if it is neither."""
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except (TypeError, ValueError):
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)


def _breaks_a_rule(schema, value):
    """Whether `value` breaks one of the `x-` rules below, or `format: iana-time-zone`."""
    if not isinstance(schema, dict):
        return False
    if schema.get("format") == "iana-time-zone" and isinstance(value, str):
        return value not in ZONES
    if schema.get("x-not-in-future") and isinstance(value, str):
        at = _instant(value)
        return at is not None and at > datetime.now(timezone.utc) + timedelta(minutes=1)
    if isinstance(value, list):
        keys = schema.get("x-unique-keys")
        if keys:
            for key in keys:
                seen = [repr(item.get(key)) for item in value if isinstance(item, dict) and key in item]
                if len(seen) != len(set(seen)):
                    return True
        items = schema.get("items")
        return any(_breaks_a_rule(items, item) for item in value)
    if isinstance(value, dict):
        for rule, when in (("x-required-when-false", False), ("x-required-when-true", True)):
            for flag, needed in (schema.get(rule) or {}).items():
                if value.get(flag) is when and any(value.get(name) is None for name in needed):
                    return True
        properties = schema.get("properties") or {}
        return any(_breaks_a_rule(properties.get(name), item) for name, item in value.items())
    return False


def _holds_nul(value):
    """Whether any text in `value` (a key or a string) holds U+0000 (`x-no-nul-characters`)."""
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, list):
        return any(_holds_nul(item) for item in value)
    if isinstance(value, dict):
        return any(_holds_nul(k) or _holds_nul(v) for k, v in value.items())
    return False


def _body_schema(operation):
    body = (operation.definition.raw.get("requestBody") or {}).get("content") or {}
    return (body.get("application/json") or {}).get("schema")


def _breaks_a_query_rule(operation, query):
    """Whether a query parameter with `x-later-than: other` is not later than `other`."""
    for parameter in operation.definition.raw.get("parameters") or []:
        other = (parameter.get("schema") or {}).get("x-later-than")
        if parameter.get("in") != "query" or not other or not query:
            continue
        mine, theirs = query.get(parameter["name"]), query.get(other)
        if isinstance(mine, str) and isinstance(theirs, str):
            a, b = _instant(mine), _instant(theirs)
            if a is not None and b is not None and a <= b:
                return True
    return False


def _mutates_bound_partner(case):
    """
    Schemathesis 4.32.5's coverage phase makes `partnerId` invalid, then the bound `path.partnerId`
    replaces it and the valid request's answer is judged as if it were invalid: such a case tests
    nothing.
    """
    meta = case.meta
    data = getattr(getattr(meta, "phase", None), "data", None)
    return getattr(data, "parameter", None) == "partnerId" and meta.generation.mode.is_negative


@schemathesis.hook
def filter_case(ctx, case):
    if _mutates_bound_partner(case):
        return False
    if case.operation.schema.raw_schema.get("x-no-nul-characters") and any(
        _holds_nul(part) for part in (case.body, case.query, case.path_parameters)
    ):
        return False
    schema = _body_schema(case.operation)
    if schema is not None and _breaks_a_rule(schema, case.body):
        return False
    return not _breaks_a_query_rule(case.operation, case.query)


if os.environ.get("FUZZ_FOREIGN_PARTNER"):

    OUR_TOKEN = f"Bearer {os.environ['FUZZ_TOKEN']}"

    @schemathesis.check
    def foreign_partner_is_404(ctx, response, case):
        """With our token, another partner's path answers 404 whatever exists there or is sent."""
        if response.request.headers.get("Authorization") != OUR_TOKEN:
            return  # a request without our token is the missing-auth checks' (401)
        # 405 names a method the path does not take: the API's shape, the same for every partner.
        if response.status_code not in (404, 405):
            raise AssertionError(
                f"another partner's path answered {response.status_code}, not 404 (or 405)"
            )
