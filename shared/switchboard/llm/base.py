"""The LLM port: one structured call per turn, answering from given passages only."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol

from switchboard.core.models import Message, Passage


@dataclass(frozen=True)
class AnswerRequest:
    """Everything one answer needs.

    Attributes:
        system_instruction: Rules plus the tenant's prompt parts.
        history: Recent messages of the conversation, oldest first.
        question: The customer's message.
        passages: Retrieved passages the answer may use and cite.
        language: Detected language of the customer.
        model: Model id (tenant setting or deployment default).
        temperature: Sampling temperature.
        max_output_tokens: Output cap.
    """

    system_instruction: str
    history: Sequence[Message]
    question: str
    passages: Sequence[Passage]
    language: str
    model: str
    temperature: float = 0.2
    max_output_tokens: int = 1024


@dataclass(frozen=True)
class AnswerDraft:
    """The structured output of one LLM call.

    Attributes:
        answer: Text for the customer.
        cited_ids: Passage ids the answer relies on, as the model gave them.
        support: The model's estimate (0..1) that the passages support the answer.
        language: Language of the answer.
        answered: The model's judgment that the passages answer the question (None: the
            provider does not judge).
        needs_human: The model thinks a person should take over.
        reason: Why, when ``needs_human``.
        usage: Token counts (``prompt``, ``output``, ``total``) when known.
        provider: ``genai`` or ``extractive``.
        model: The model that answered.
    """

    answer: str
    cited_ids: list[str]
    support: float
    language: str
    answered: bool | None = None
    needs_human: bool = False
    reason: str = ""
    usage: dict[str, int] = field(default_factory=dict)
    provider: str = ""
    model: str = ""


class LLMProvider(Protocol):
    """Answers a question from passages with structured output.

    Implementations raise :class:`switchboard.errors.LLMUnavailableError` when the model is
    unreachable/overloaded/timed out after their bounded retries, and
    :class:`switchboard.errors.LLMError` when its output is unusable.
    """

    name: str

    def answer(self, request: AnswerRequest) -> AnswerDraft:
        """Produce one structured answer."""
        ...


class Embedder(Protocol):
    """Turns texts into unit-normalised vectors for dense retrieval."""

    name: str

    def embed(self, texts: Sequence[str], task: str) -> list[list[float]]:
        """Embed ``texts``; ``task`` is ``query`` or ``document``."""
        ...
