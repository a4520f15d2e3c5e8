"""The OpenAPI document describes every operation with its own shapes.

django-ninja files every model under its class name; two models of the same
name in two apps overwrote each other, and 5 operations were documented
with another app's shape.
"""

from __future__ import annotations

import json

from ninja.openapi import schema as ninja_schema


def _components_with_clashes():
    clashes: dict[str, list[str]] = {}
    original = ninja_schema.OpenAPISchema.add_schema_definitions

    def recording(self, definitions):
        for name, shape in definitions.items():
            if name in self.schemas and self.schemas[name] != shape:
                clashes.setdefault(name, []).append(json.dumps(shape)[:200])
        original(self, definitions)

    ninja_schema.OpenAPISchema.add_schema_definitions = recording
    try:
        from grassroots.api import api

        document = api.get_openapi_schema()
    finally:
        ninja_schema.OpenAPISchema.add_schema_definitions = original
    return document, clashes


def test_no_two_components_share_a_name_with_different_shapes():
    document, clashes = _components_with_clashes()
    assert len(document["components"]["schemas"]) > 20
    assert not clashes, "\n".join(f"{k}: {v}" for k, v in clashes.items())


def test_every_reference_points_to_a_component():
    document, _clashes = _components_with_clashes()
    names = set(document["components"]["schemas"])
    missing = set()

    def walk(node):
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str) and ref.startswith("#/components/schemas/"):
                if ref.rsplit("/", 1)[1] not in names:
                    missing.add(ref)
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(document["paths"])
    walk(document["components"])
    assert not missing, sorted(missing)
