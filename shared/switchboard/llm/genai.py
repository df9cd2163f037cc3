"""Gemini through google-genai: structured answers and embeddings.

Imported only by functions that call Gemini (``health`` and ``kommo_webhook`` never import
this module: google-genai costs ~0.4 s of cold start). Vendor errors are translated here:
429/5xx/timeouts → :class:`LLMUnavailableError`, other failures → :class:`LLMError`.
"""

from __future__ import annotations

import json
import logging
import math
from collections.abc import Sequence

import httpx
from google import genai
from google.genai import errors as genai_errors
from google.genai import types
from pydantic import BaseModel, Field, ValidationError

from switchboard.core.prompts import grounded_question
from switchboard.errors import LLMError, LLMUnavailableError
from switchboard.llm.base import AnswerDraft, AnswerRequest

log = logging.getLogger(__name__)

RETRY_STATUS_CODES = [408, 429, 500, 502, 503, 504]
#: Extra attempts when the model answers with unusable (non-JSON or off-schema) output.
OUTPUT_ATTEMPTS = 2

try:  # google-genai may talk through httpx2, a fork of httpx with its own exception classes.
    import httpx2

    _TRANSPORT_ERRORS: tuple[type[BaseException], ...] = (httpx.TransportError, httpx2.TransportError)
except ImportError:  # pragma: no cover - depends on the installed SDK
    _TRANSPORT_ERRORS = (httpx.TransportError,)


class StructuredAnswer(BaseModel):
    """The JSON schema the model must answer in."""

    answer: str = Field(description="The reply to the customer, in their language.")
    cited_ids: list[str] = Field(description="Ids of the passages the answer uses.")
    answered: bool = Field(
        default=True, description="True when the passages contain the answer to the customer's question."
    )
    support: float = Field(ge=0, le=1, description="0..1: how fully the cited passages support the answer.")
    language: str = Field(description="ISO 639-1 code of the answer's language.")
    needs_human: bool = Field(description="True when a person should take over.")
    reason: str = Field(default="", description="Why a person is needed, if needs_human.")


def build_client(
    *,
    api_key: str | None,
    vertexai: bool,
    project: str | None,
    location: str | None,
    base_url: str | None,
    timeout_seconds: float,
    attempts: int,
) -> genai.Client:
    """Build a google-genai client with an explicit timeout and bounded retries.

    Args:
        api_key: Gemini API key (Gemini API mode).
        vertexai: Use Vertex AI with ADC credentials instead of a key.
        project: Google Cloud project (Vertex mode).
        location: Vertex location (Vertex mode).
        base_url: Override of the API base URL (proxies, the local fake server).
        timeout_seconds: Per-request timeout.
        attempts: Total HTTP attempts including the first (1 disables retries).
    """
    options = types.HttpOptions(
        base_url=base_url,
        timeout=int(timeout_seconds * 1000),  # the SDK takes milliseconds
        retry_options=types.HttpRetryOptions(
            attempts=attempts, initial_delay=0.5, max_delay=4.0, http_status_codes=RETRY_STATUS_CODES
        ),
    )
    if vertexai:
        return genai.Client(vertexai=True, project=project, location=location, http_options=options)
    return genai.Client(api_key=api_key, http_options=options)


def _translate(exc: BaseException) -> LLMError:
    if isinstance(exc, genai_errors.APIError):
        code = exc.code or 0
        if code == 429 or code >= 500:
            return LLMUnavailableError(f"Gemini answered {code} {exc.status or ''}".strip())
        return LLMError(f"Gemini rejected the request: {code} {exc.status or ''}".strip())
    if isinstance(exc, _TRANSPORT_ERRORS):
        return LLMUnavailableError(f"Gemini unreachable or timed out ({type(exc).__name__})")
    return LLMError(f"Gemini call failed ({type(exc).__name__})")


def _contents(request: AnswerRequest) -> list[types.Content]:
    contents = [
        types.Content(role="user" if m.role == "user" else "model", parts=[types.Part.from_text(text=m.content)])
        for m in request.history
    ]
    final = grounded_question(request.question, request.passages, request.language)
    contents.append(types.Content(role="user", parts=[types.Part.from_text(text=final)]))
    return contents


def _parse(response: types.GenerateContentResponse) -> StructuredAnswer | None:
    parsed = response.parsed
    if isinstance(parsed, StructuredAnswer):
        return parsed
    text = response.text
    if not text:
        return None
    try:  # `parsed` is silently None when validation failed; retry the parse to know why.
        return StructuredAnswer.model_validate(json.loads(text))
    except (json.JSONDecodeError, ValidationError):
        return None


def _usage(response: types.GenerateContentResponse) -> dict[str, int]:
    meta = response.usage_metadata
    if meta is None:
        return {}
    return {
        "prompt": meta.prompt_token_count or 0,
        "output": meta.candidates_token_count or 0,
        "total": meta.total_token_count or 0,
    }


class GenAIProvider:
    """Answers with Gemini in one structured call.

    Args:
        client: A client from :func:`build_client`.
    """

    name = "genai"

    def __init__(self, client: genai.Client) -> None:
        self._client = client

    def answer(self, request: AnswerRequest) -> AnswerDraft:
        """Call ``generate_content`` with a JSON schema; retry once on unusable output.

        Raises:
            LLMUnavailableError: 429/5xx/timeouts after the SDK's bounded retries.
            LLMError: Other API errors, or output that stays unusable.
        """
        config = types.GenerateContentConfig(
            system_instruction=request.system_instruction,
            temperature=request.temperature,
            max_output_tokens=request.max_output_tokens,
            response_mime_type="application/json",
            response_schema=StructuredAnswer,
        )
        contents = _contents(request)
        for attempt in range(1, OUTPUT_ATTEMPTS + 1):
            try:
                response = self._client.models.generate_content(model=request.model, contents=contents, config=config)
            except Exception as exc:
                raise _translate(exc) from exc
            parsed = _parse(response)
            if parsed is not None:
                return AnswerDraft(
                    answer=parsed.answer.strip(),
                    cited_ids=list(parsed.cited_ids),
                    support=parsed.support,
                    language=parsed.language or request.language,
                    answered=parsed.answered,
                    needs_human=parsed.needs_human,
                    reason=parsed.reason,
                    usage=_usage(response),
                    provider=self.name,
                    model=request.model,
                )
            log.warning("gemini output unusable", extra={"attempt": attempt, "model": request.model})
        raise LLMError("Gemini output did not match the answer schema")


class GenAIEmbedder:
    """Embeds texts with a Gemini embedding model, re-normalised to unit length.

    Args:
        client: A client from :func:`build_client`.
        model: Embedding model id.
        dimensions: Output dimensionality (≤ 2048 for Firestore vector search).
    """

    name = "genai"

    def __init__(self, client: genai.Client, model: str, dimensions: int) -> None:
        self._client = client
        self._model = model
        self._dimensions = dimensions
        self.name = f"genai:{model}:{dimensions}"

    def embed(self, texts: Sequence[str], task: str) -> list[list[float]]:
        """Embed ``texts`` (``task`` is ``query`` or ``document``).

        Raises:
            LLMUnavailableError: 429/5xx/timeouts after retries.
            LLMError: Other failures, or a response with the wrong number of vectors.
        """
        config = types.EmbedContentConfig(
            task_type="RETRIEVAL_QUERY" if task == "query" else "RETRIEVAL_DOCUMENT",
            output_dimensionality=self._dimensions,
        )
        try:
            response = self._client.models.embed_content(model=self._model, contents=list(texts), config=config)
        except Exception as exc:
            raise _translate(exc) from exc
        vectors = [list(e.values or []) for e in (response.embeddings or [])]
        if len(vectors) != len(texts):
            raise LLMError(f"embedding returned {len(vectors)} vectors for {len(texts)} texts")
        return [_unit(v) for v in vectors]


def _unit(vector: list[float]) -> list[float]:
    norm = math.sqrt(sum(x * x for x in vector)) or 1.0
    return [x / norm for x in vector]
