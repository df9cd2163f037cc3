from __future__ import annotations

from switchboard.knowledge.articles import Article, chunk_article
from switchboard.knowledge.retrieval import KnowledgeIndex
from switchboard.llm.base import AnswerRequest
from switchboard.llm.extractive import ExtractiveProvider


def _request(question: str) -> AnswerRequest:
    article = Article(
        "refund",
        "Processing a Refund",
        "Refunds are processed from Billing > Payments. Card refunds take 5 to 10 business days. "
        "Only Finance Admins can refund. Our office has a nice view.",
    )
    passages = KnowledgeIndex(chunk_article(article)).search(question)
    return AnswerRequest("", [], question, passages, "en", "extractive")


def test_answers_only_with_sentences_from_the_passage_and_cites_it() -> None:
    draft = ExtractiveProvider().answer(_request("How long do card refunds take?"))
    assert "5 to 10 business days" in draft.answer
    assert "nice view" not in draft.answer
    assert draft.cited_ids == ["refund#0"]
    assert 0 < draft.support <= 1


def test_no_passages_means_no_answer_and_no_support() -> None:
    draft = ExtractiveProvider().answer(AnswerRequest("", [], "anything", [], "en", "extractive"))
    assert draft.answer == "" and draft.support == 0.0 and draft.cited_ids == []
