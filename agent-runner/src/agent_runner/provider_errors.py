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

from agent_runner.contracts import PROVIDER_REFUSED_ERROR, PROVIDER_UNAVAILABLE_ERROR
from agent_runner.model_spec import parse_model_name
from agent_runner.providers import API_KEY_VARIABLES

# Status codes a later attempt may get past (the providers' own SDKs retry these).
RETRYABLE_STATUS = frozenset({408, 409, 429})
MAX_DETAIL_CHARS = 200
# Exception class names (anywhere in the type's MRO) of a request that never got an answer.
UNREACHABLE_CLASS_NAMES = frozenset(
    {"APIConnectionError", "APITimeoutError", "TransportError", "TimeoutException", "ConnectionError", "TimeoutError"}
)


class ProviderErrorsInterceptor(Interceptor):
    def intercept_activity(self, next: ActivityInboundInterceptor) -> ActivityInboundInterceptor:
        return _ClassifyingInbound(next)


class _ClassifyingInbound(ActivityInboundInterceptor):
    async def execute_activity(self, input: ExecuteActivityInput) -> Any:
        try:
            return await super().execute_activity(input)
        except Exception as error:
            classified = classify(error, _provider_of(input.args))
            if classified is None:
                raise
            raise classified from None  # the line is the message; no provider traceback in the history


def classify(error: BaseException, provider: str) -> Optional[ApplicationError]:
    """The failure to report for a provider error, or None when `error` is not one."""
    # Temporal's plugin already wraps HTTP errors; the provider's own exception is the cause.
    original = error.__cause__ if isinstance(error, ApplicationError) and error.__cause__ is not None else error
    status = getattr(original, "status_code", None)
    if isinstance(status, int):
        return _for_status(status, original, provider)
    names = {cls.__name__ for cls in type(original).__mro__}
    if names & UNREACHABLE_CLASS_NAMES:
        reason = _detail(original) or type(original).__name__
        return ApplicationError(
            f"cannot reach {provider} ({reason}); the step is retried", type=PROVIDER_UNAVAILABLE_ERROR
        )
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


def _provider_of(args: Any) -> str:
    """The provider named by a model activity's input; a generic name for other activities."""
    for arg in args or ():
        name = getattr(arg, "model_name", None)
        if isinstance(name, str):
            try:
                return parse_model_name(name).provider
            except ValueError:
                break
    return "the model provider"
