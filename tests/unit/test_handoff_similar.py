"""The handoff detector's second opinion: a logistic model over the message's embedding.

The sentences below were written for these tests; none is a line of the benchmark's dev or test
split.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from pathlib import Path

import pytest

from switchboard.core.handoff import detect_handoff
from switchboard.core.handoff.similar import MODEL_FILE, SimilarModel, similar_model
from switchboard.errors import LLMUnavailableError
from switchboard.llm.local_embedder import DIMENSIONS, LocalEmbedder


class FakeEmbedder:
    """Answers every text with one vector, and records what it was asked."""

    def __init__(self, name: str, vector: Sequence[float], fail: bool = False) -> None:
        self.name = name
        self.vector = list(vector)
        self.fail = fail
        self.asked: list[str] = []

    def embed(self, texts: Sequence[str], task: str) -> list[list[float]]:
        assert task == "query"
        self.asked.extend(texts)
        if self.fail:
            raise LLMUnavailableError("no model")
        return [self.vector for _ in texts]


def _along_weights(model: SimilarModel, sign: float) -> list[float]:
    norm = math.sqrt(sum(w * w for w in model.weights))
    return [sign * w / norm for w in model.weights]


@pytest.fixture(scope="module")
def model() -> SimilarModel:
    found = similar_model()
    assert found is not None
    return found


def test_the_shipped_model_reads_the_local_embedders_vectors(model: SimilarModel) -> None:
    assert model.embedder == LocalEmbedder.name
    assert len(model.weights) == DIMENSIONS
    assert 0.5 <= model.threshold < 1.0
    stored = json.loads(MODEL_FILE.read_text())
    assert stored["fitted_on"]["messages"] > 1000 and stored["fitted_on"]["kb_questions"] > 1000


def test_probability_is_the_logistic_of_the_weighted_sum() -> None:
    tiny = SimilarModel("local:x", (2.0, -1.0), 0.5, 0.7)
    assert tiny.probability([1.0, 1.0]) == pytest.approx(1 / (1 + math.exp(-1.5)))
    assert tiny.probability([0.0, 0.0]) == pytest.approx(1 / (1 + math.exp(-0.5)))
    with pytest.raises(ValueError, match="dimensions"):
        tiny.probability([0.1, 0.2, 0.3])


def test_the_second_opinion_is_asked_only_when_no_frame_fired(model: SimilarModel) -> None:
    embedder = FakeEmbedder(model.embedder, _along_weights(model, 1.0))
    verdict = detect_handoff("what is the status of order 12?", embedder)
    assert verdict.wants_human and verdict.rule == "en:similar"
    assert verdict.similarity is not None and verdict.similarity > model.threshold
    assert embedder.asked == ["what is the status of order 12?"]

    framed = FakeEmbedder(model.embedder, _along_weights(model, -1.0))
    verdict = detect_handoff("I want to talk to a human", framed)
    assert verdict.wants_human and verdict.rule == "en:talk" and verdict.similarity is None
    assert framed.asked == []


def test_a_low_probability_leaves_the_verdict_negative_with_the_probability(model: SimilarModel) -> None:
    verdict = detect_handoff(
        "what is the status of order 12?", FakeEmbedder(model.embedder, _along_weights(model, -1.0))
    )
    assert not verdict.wants_human and verdict.rule == ""
    assert verdict.similarity is not None and verdict.similarity < 0.01


def test_another_embedders_vectors_are_never_read(model: SimilarModel) -> None:
    other = FakeEmbedder("genai:gemini-embedding-001", _along_weights(model, 1.0))
    verdict = detect_handoff("what is the status of order 12?", other)
    assert not verdict.wants_human and verdict.similarity is None
    assert other.asked == []


def test_an_embedding_failure_leaves_the_frames_to_decide(model: SimilarModel) -> None:
    broken = FakeEmbedder(model.embedder, [], fail=True)
    verdict = detect_handoff("what is the status of order 12?", broken)
    assert not verdict.wants_human and verdict.similarity is None
    assert broken.asked == ["what is the status of order 12?"]
    # a vector of the wrong size is no verdict either
    short = FakeEmbedder(model.embedder, [0.5, 0.5])
    assert detect_handoff("what is the status of order 12?", short).similarity is None


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"embedder": "local:x", "weights": [0.1], "bias": 0.0},  # no threshold
        {"embedder": "local:x", "weights": [0.1], "bias": 0.0, "threshold": 1.5},
        {"embedder": "local:x", "weights": [], "bias": 0.0, "threshold": 0.7},
        {"embedder": "", "weights": [0.1], "bias": 0.0, "threshold": 0.7},
        {"embedder": "local:x", "weights": ["a"], "bias": 0.0, "threshold": 0.7},
        {"embedder": "local:x", "weights": [float("nan")], "bias": 0.0, "threshold": 0.7},
    ],
)
def test_a_malformed_model_is_refused(data: dict[str, object]) -> None:
    assert SimilarModel.from_dict(data) is None


def test_a_missing_or_broken_model_file_means_frames_only(tmp_path: Path) -> None:
    assert similar_model.__wrapped__(tmp_path / "absent.json") is None
    broken = tmp_path / "similar.json"
    broken.write_text("{not json")
    assert similar_model.__wrapped__(broken) is None


# --- With the real model and the real embedder --------------------------------------------------


@pytest.fixture(scope="module")
def local() -> LocalEmbedder:
    return LocalEmbedder()


def test_a_request_no_frame_was_written_for_is_recognised(local: LocalEmbedder) -> None:
    verdict = detect_handoff("我要找个能解决问题的人", local)
    assert verdict.wants_human and verdict.rule == "zh:similar"


@pytest.mark.parametrize(
    "text",
    [
        "How do I reset my password?",
        "Can I get a refund for my order?",
        "My package arrived damaged",
        "Wie ändere ich meine Adresse?",
        "Comment annuler mon abonnement ?",
        "怎么修改密码",
        "Can I talk about my invoice here?",
    ],
)
def test_ordinary_questions_stay_with_the_bot(local: LocalEmbedder, text: str) -> None:
    verdict = detect_handoff(text, local)
    assert not verdict.wants_human, (text, verdict)
    assert verdict.similarity is not None


@pytest.mark.parametrize(
    "text",
    [
        "I don't need to talk to a human",  # a negation cancels the rule: the model is not asked
        "no quiero hablar con una persona, gracias",
        "ich will nicht mit einem Mitarbeiter sprechen",
        "are you a real person?",  # a question about the bot
        "eine Person, die sich als Mitarbeiter ausgab, hat mich angerufen",  # a relative clause
        "you sound like a real person",  # a comparison
    ],
)
def test_what_the_rules_cancelled_is_not_asked_again(model: SimilarModel, text: str) -> None:
    eager = FakeEmbedder(model.embedder, _along_weights(model, 1.0))
    verdict = detect_handoff(text, eager)
    assert not verdict.wants_human and verdict.decided, (text, verdict)
    assert eager.asked == []
