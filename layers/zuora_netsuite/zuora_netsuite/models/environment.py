"""Settings read from the process environment: a pydantic model whose field aliases are the variables' names.

This is what pydantic-settings' BaseSettings did for the connector, without importing it (with asyncio and
pydantic's dataclasses it was about a tenth of the sync function's cold start, issue 14): `from_environment()`
reads each field from the variable its alias names, ignoring case as pydantic-settings did; `model_validate` takes
only the values it is given. A field whose type is a model (SYNC_CONFIG) is read as JSON
text; an invalid one fails validation naming the variable, never quoting its value."""

from __future__ import annotations

import json
import os
from typing import Any, Self

from pydantic import BaseModel, ConfigDict, model_validator


class EnvironmentSettings(BaseModel):
    """Subclasses declare `Field(alias="VARIABLE_NAME")` per setting."""

    model_config = ConfigDict(extra="ignore", frozen=True, hide_input_in_errors=True)

    @classmethod
    def from_environment(cls) -> Self:
        """The settings from the process environment (what a function reads once per container)."""
        return cls.model_validate(environment_values(cls))

    @model_validator(mode="before")
    @classmethod
    def _json_text(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        decoded = dict(data)
        for name, field in cls.model_fields.items():
            alias = field.alias or name
            text = decoded.get(alias)
            if isinstance(text, str) and _is_structured(field.annotation):
                try:
                    decoded[alias] = json.loads(text)
                except json.JSONDecodeError as error:
                    raise ValueError(f"{alias} is not valid JSON ({error.msg} at position {error.pos})") from None
        return decoded


def environment_values(model: type[BaseModel]) -> dict[str, str]:
    """{alias: value} of the model's fields whose variable is set (names compared ignoring case)."""
    environment = {name.upper(): value for name, value in os.environ.items()}
    wanted = {(field.alias or name).upper(): field.alias or name for name, field in model.model_fields.items()}
    return {alias: environment[upper] for upper, alias in wanted.items() if upper in environment}


def _is_structured(annotation: Any) -> bool:
    return isinstance(annotation, type) and issubclass(annotation, BaseModel)
