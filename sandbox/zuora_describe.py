"""Zuora's Describe operation: ``GET /v1/describe/{object}`` answers an XML document listing an object's fields.

Zuora "Describe an object" (https://developer.zuora.com/api-references/api/operation/GET_Describe): bearer auth;
``<object><name/><label/><fields><field><name/><label/><type/>...<contexts><context>..</context></contexts>
</field>...</fields></object>``. "By default, the information returned ... corresponds to the latest version of the
Zuora WSDL" (so it lists fields a request pinned to WSDL 79 does not see). ``<contexts>`` says where a field can be
used: ``soap`` (the SOAP API objects, so ZOQL through Actions) and/or ``export`` (data source exports)
(https://docs.zuora.com/en/zuora-platform/data/legacy-query-methods/export-zoql/changes-to-the-describe-api).
Object names: https://developer.zuora.com/v1-api-reference/api-object-names/.

The simulator lists every field of its schema (custom ``__c`` and ``__NS`` fields included) in both contexts. An
object the tenant does not have is answered 404 with Zuora's REST error shape (no page says which status; the
stricter reading).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from xml.sax.saxutils import escape

from sandbox.zoql import FieldType

DESCRIBE_PREFIX = "/v1/describe/"
NO_SUCH_OBJECT_CODE = 50000040  # Zuora's "Cannot find entity" code, as for an unknown REST key

_TYPES = {
    FieldType.STRING: "text",
    FieldType.NUMBER: "decimal",
    FieldType.BOOLEAN: "boolean",
    FieldType.DATE: "date",
    FieldType.DATETIME: "datetime",
}


def label(name: str) -> str:
    """``AccountNumber`` -> ``Account Number``; ``Region__c`` -> ``Region``; ``SyncDate__NS`` -> ``Sync Date``."""
    base = re.sub(r"__(c|NS)$", "", name)
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", " ", base)


def describe_object_name(path: str) -> str | None:
    """The object of a ``/v1/describe/{object}`` path (None for any other path)."""
    if not path.lower().startswith(DESCRIBE_PREFIX):
        return None
    name = path[len(DESCRIBE_PREFIX) :].strip("/")
    return name if name and "/" not in name else None


def describe_xml(object_name: str, fields: Mapping[str, FieldType]) -> str:
    """The Describe document of one object."""
    parts = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        "<object>",
        f"  <name>{escape(object_name)}</name>",
        f"  <label>{escape(label(object_name))}</label>",
        "  <fields>",
    ]
    for name, field_type in fields.items():
        parts += [
            "    <field>",
            f"      <name>{escape(name)}</name>",
            f"      <label>{escape(label(name))}</label>",
            f"      <type>{_TYPES[field_type]}</type>",
            "      <contexts>",
            "        <context>soap</context>",
            "        <context>export</context>",
            "      </contexts>",
            "    </field>",
        ]
    parts += ["  </fields>", "</object>", ""]
    return "\n".join(parts)
