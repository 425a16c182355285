"""The model name that crosses from the workflow to the model activities.

The durable model carries only a name; the worker builds the real client from it,
so API keys never enter an execution's history. The name holds the resolved
provider and model plus the sampling settings, in a form that reads well in the
Temporal UI: `openai:gpt-4o-mini?temperature=0.2&max_tokens=512`.
This module is imported inside the workflow sandbox, so it imports only the standard library.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional
from urllib.parse import parse_qs, urlencode


@dataclass(frozen=True)
class ModelSpec:
    provider: str
    model: str
    temperature: Optional[float] = None
    max_tokens: Optional[int] = None

    def name(self) -> str:
        options: dict[str, str] = {}
        if self.temperature is not None:
            options["temperature"] = repr(float(self.temperature))
        if self.max_tokens is not None:
            options["max_tokens"] = str(int(self.max_tokens))
        base = f"{self.provider}:{self.model}"
        return f"{base}?{urlencode(options)}" if options else base


def parse_model_name(name: str) -> ModelSpec:
    """The spec of a name made by `ModelSpec.name`; ValueError for anything else."""
    base, _, query = name.partition("?")
    provider, separator, model = base.partition(":")
    if not separator or not provider or not model:
        raise ValueError(f"model name {name!r} is not provider:model")
    options = {key: values[-1] for key, values in parse_qs(query, strict_parsing=bool(query)).items()}
    unknown = set(options) - {"temperature", "max_tokens"}
    if unknown:
        raise ValueError(f"model name {name!r} has unknown options {sorted(unknown)}")
    temperature = float(options["temperature"]) if "temperature" in options else None
    max_tokens = int(options["max_tokens"]) if "max_tokens" in options else None
    return ModelSpec(provider, model, temperature, max_tokens)
