"""Model provider failures sorted into what Temporal does with them, each said in one line.

A step whose provider answered 429 or 5xx, timed out or could not be reached is retried
with backoff (Temporal is the one retry layer); a refused key, an unknown model, a
context that is too long or any other 4xx cannot succeed by retrying and ends the
execution at once, with a line that says what happened and what to do.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any, Optional

from temporalio.exceptions import ApplicationError
from temporalio.worker import ActivityInboundInterceptor, ExecuteActivityInput, Interceptor

from agent_runner import ollama_server
from agent_runner.config import LlmDefaults
from agent_runner.contracts import PROVIDER_REFUSED_ERROR, PROVIDER_UNAVAILABLE_ERROR
from agent_runner.model_spec import ModelSpec, parse_model_name
from agent_runner.providers import API_KEY_VARIABLES, DEFAULT_OLLAMA_BASE_URL

# Status codes a later attempt may get past (the providers' own SDKs retry these).
RETRYABLE_STATUS = frozenset({408, 409, 429})
MAX_DETAIL_CHARS = 200
# Exception class names (anywhere in the type's MRO) of a request that never got an answer.
UNREACHABLE_CLASS_NAMES = frozenset(
    {"APIConnectionError", "APITimeoutError", "TransportError", "TimeoutException", "ConnectionError", "TimeoutError"}
)


class ProviderErrorsInterceptor(Interceptor):
    """`llm`: the worker's settings, which say where Ollama is for its lines."""

    def __init__(self, llm: Optional[LlmDefaults] = None) -> None:
        self.llm = llm

    def intercept_activity(self, next: ActivityInboundInterceptor) -> ActivityInboundInterceptor:
        return _ClassifyingInbound(next, self.llm)


class _ClassifyingInbound(ActivityInboundInterceptor):
    def __init__(self, next: ActivityInboundInterceptor, llm: Optional[LlmDefaults]) -> None:
        super().__init__(next)
        self.llm = llm

    async def execute_activity(self, input: ExecuteActivityInput) -> Any:
        try:
            return await super().execute_activity(input)
        except Exception as error:
            spec = _model_of(input.args)
            provider = spec.provider if spec else "the model provider"
            base_url = None
            if spec is not None and spec.provider == "ollama" and self.llm is not None:
                base_url = self.llm.resolve("ollama", spec.model).base_url
            classified = classify(error, provider, spec.model if spec else None, base_url)
            if classified is None:
                raise
            raise classified from None  # the line is the message; no provider traceback in the history


def classify(
    error: BaseException, provider: str, model: Optional[str] = None, base_url: Optional[str] = None
) -> Optional[ApplicationError]:
    """The failure to report for a provider error, or None when `error` is not one."""
    # Temporal's plugin already wraps HTTP errors; the provider's own exception is the cause.
    original = error.__cause__ if isinstance(error, ApplicationError) and error.__cause__ is not None else error
    status = getattr(original, "status_code", None)
    if provider == "ollama":
        said = _ollama_line(original, status, model, base_url or DEFAULT_OLLAMA_BASE_URL)
        if said is not None:
            return said
    if isinstance(status, int):
        return _for_status(status, original, provider)
    names = {cls.__name__ for cls in type(original).__mro__}
    if names & UNREACHABLE_CLASS_NAMES:
        reason = _detail(original) or type(original).__name__
        return ApplicationError(
            f"cannot reach {provider} ({reason}); the step is retried", type=PROVIDER_UNAVAILABLE_ERROR
        )
    return None


def _ollama_line(error: BaseException, status: Any, model: Optional[str], base_url: str) -> Optional[ApplicationError]:
    """Ollama's two common failures in the words of ollama_server: a model not pulled (its
    404 "model ... not found, try pulling it first") and no server at all (retried: it may start)."""
    if status == 404 and "not found" in _detail(error).lower() and model:
        return ApplicationError(
            ollama_server.not_pulled(model, base_url).problem,
            type=PROVIDER_REFUSED_ERROR,
            non_retryable=True,
        )
    if status is None and {cls.__name__ for cls in type(error).__mro__} & UNREACHABLE_CLASS_NAMES:
        return ApplicationError(f"{ollama_server.not_answering(base_url).problem}; the step is retried", type=PROVIDER_UNAVAILABLE_ERROR)
    return None


def _for_status(status: int, error: BaseException, provider: str) -> ApplicationError:
    detail = _detail(error)
    said = f"HTTP {status}" + (f": {detail}" if detail else "")
    if status in RETRYABLE_STATUS or status >= 500:
        return ApplicationError(
            f"{provider} answered {said}; the step is retried",
            type=PROVIDER_UNAVAILABLE_ERROR,
            next_retry_delay=_retry_after(error),
        )
    if status in (401, 403):
        variable = API_KEY_VARIABLES.get(provider)
        where = f"STIGMER_LLM_API_KEY or {variable}" if variable else "the provider's settings"
        return ApplicationError(
            f"{provider} refused the request ({said}); check the API key ({where})",
            type=PROVIDER_REFUSED_ERROR,
            non_retryable=True,
        )
    return ApplicationError(
        f"{provider} rejected the request ({said}); retrying cannot fix it: check the model name and the prompt",
        type=PROVIDER_REFUSED_ERROR,
        non_retryable=True,
    )


def _detail(error: BaseException) -> str:
    """The provider's own message: `error.message` of its JSON body when there is one."""
    body = getattr(error, "body", None)
    text: Any = None
    if isinstance(body, dict):
        inner = body.get("error", body)
        text = inner.get("message") if isinstance(inner, dict) else inner
    if not text:
        text = getattr(error, "error", None)  # Ollama's ResponseError
    if not isinstance(text, str) or not text:
        text = str(error)
    return " ".join(text.split())[:MAX_DETAIL_CHARS]


def _retry_after(error: BaseException) -> Optional[timedelta]:
    response = getattr(error, "response", None)
    headers = getattr(response, "headers", None) or {}
    try:
        seconds = float(headers.get("retry-after", ""))
    except (TypeError, ValueError):
        return None
    return timedelta(seconds=min(max(seconds, 0.0), 300.0))


def _model_of(args: Any) -> Optional[ModelSpec]:
    """The model named by a model activity's input; None for other activities."""
    for arg in args or ():
        name = getattr(arg, "model_name", None)
        if isinstance(name, str):
            try:
                return parse_model_name(name)
            except ValueError:
                return None
    return None
