"""One chat turn (core/turn.py, core/retrieve.py) through the chat function, over in-memory ports."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from switchboard.core import phrases
from switchboard.core.models import Tenant, TenantSettings
from switchboard.errors import LLMError
from switchboard.knowledge.articles import read_articles
from switchboard.knowledge.importer import import_articles
from switchboard.llm.base import AnswerDraft
from tests.conftest import function_client, user_info
from tests.fast.helpers import ask, conversation, create_ticket, record_failure, roles_and_texts, today
from tests.support.fast import DEMO_KB, FastStack, ScriptedLLM

PASSWORD_Q = "How do I reset a user's password?"
PASSWORD_A = "To reset a user's password, go to Settings > User Management, find the user and click Reset Password."
#: What the extractive provider answers to PASSWORD_Q from the demo KB.
EXTRACTIVE_A = (
    f"{PASSWORD_A} The user receives an email with a reset link that is valid for 24 hours. "
    "If the email does not arrive, check the spam folder and confirm the email address on the user's profile."
)

MakeStack = Callable[..., FastStack]


def scripted(make_stack: MakeStack, *replies: AnswerDraft | BaseException, **settings: str) -> FastStack:
    """A stack over the demo KB whose LLM is a ScriptedLLM with these replies (``stack.services.llm``)."""
    stack = make_stack(llm=ScriptedLLM(*replies), **settings)
    stack.seed()
    return stack


def llm_of(stack: FastStack) -> ScriptedLLM:
    llm = stack.services.llm
    assert isinstance(llm, ScriptedLLM)
    return llm


def draft(
    answer: str = PASSWORD_A, *, answered: bool | None = True, needs_human: bool = False, reason: str = ""
) -> AnswerDraft:
    """A confident draft citing the password article's passage."""
    return AnswerDraft(
        answer, ["kb_001#0"], 0.95, "en", answered, needs_human, reason, provider="scripted", model="scripted"
    )


def test_a_user_over_the_rate_limit_gets_429_with_reset_and_nothing_more_is_stored(make_stack: MakeStack) -> None:
    # GIVEN a limit of two answers per user and year
    stack = make_stack(RATE_LIMIT="2/31536000")
    stack.seed()
    chat = function_client("chat")
    # WHEN one user asks three times
    statuses = [ask(chat, PASSWORD_Q).status_code for _ in range(2)]
    limited = ask(chat, PASSWORD_Q)
    # THEN the third is refused with the contract's 429 body and a matching Retry-After
    assert statuses == [200, 200]
    assert limited.status_code == 429
    reset = limited.get_json()["detail"]["reset_in_seconds"]
    assert limited.get_json() == {"detail": {"reset_in_seconds": reset}}
    assert 1 <= reset <= 31536000 and limited.headers["Retry-After"] == str(reset)
    # AND only the two answered turns are stored
    assert [role for role, _ in roles_and_texts(stack, conversation())] == ["user", "assistant"] * 2
    # AND another user of the tenant still gets answers
    assert ask(chat, PASSWORD_Q, user_info=user_info("someone-else")).status_code == 200


def test_a_conversation_owned_by_a_person_gets_the_human_owns_notice_and_no_ai_answer(make_stack: MakeStack) -> None:
    stack = scripted(make_stack)
    # GIVEN a person of the desk owns the conversation
    stack.escalations.set_conversation_owner("default", conversation(), "human")
    # WHEN the customer writes
    body = ask(function_client("chat"), PASSWORD_Q).get_json()
    # THEN the CRM gets the human-owns notice, and the AI neither answers nor escalates
    assert body["response"] == phrases.human_owns_notice("en")
    assert body["requires_escalation"] is False and body["sources"] == []
    assert llm_of(stack).called("answer") == []
    # AND the customer's message is stored, with no reply
    assert roles_and_texts(stack, conversation()) == [("user", PASSWORD_Q)]


def test_asking_for_a_person_hands_off_in_the_customers_language_without_calling_the_llm(
    make_stack: MakeStack,
) -> None:
    stack = scripted(make_stack)
    chat = function_client("chat")
    # WHEN a customer asks for a person, in English and (elsewhere) in Spanish
    english = ask(chat, "I want to talk to a human").get_json()
    spanish = ask(chat, "Quiero hablar con una persona", session_id="s-es").get_json()
    # THEN both are handed off with the notice in their language, reason user_request
    assert english["response"] == phrases.handoff_notice("en")
    assert spanish["response"] == phrases.handoff_notice("es")
    for body in (english, spanish):
        assert body["requires_escalation"] is True and body["sources"] == []
        assert body["debug"]["escalation_reason"] == "user_request"
    # AND no LLM call was made, and the stored reply records the escalation
    assert llm_of(stack).called("answer") == []
    (_, _), (_, reply_meta) = stack.store.messages("default", conversation())
    assert reply_meta["requires_escalation"] is True and reply_meta["escalation_reason"] == "user_request"


def test_a_problem_that_already_has_a_ticket_gets_the_duplicate_notice_naming_it(make_stack: MakeStack) -> None:
    stack = scripted(make_stack)
    chat, escalation = function_client("chat"), function_client("escalation")
    question = "Where is my card refund? It has not arrived"
    # GIVEN the user's card refund problem was escalated; before its ticket exists it is answered
    failure_id = record_failure(escalation, query="My card refund has not arrived after two weeks")
    assert ask(chat, question, session_id="before").get_json()["debug"]["escalation_reason"] != "duplicate_problem"
    # AND then it gets its ticket
    ticket_id = create_ticket(escalation, failure_id).get_json()["ticket_id"]
    calls_before = len(llm_of(stack).called("answer"))
    # WHEN the user asks about the same problem again
    body = ask(chat, question, session_id="after").get_json()
    # THEN the reply names the open ticket instead of answering, and escalates as a duplicate
    assert body["response"] == phrases.duplicate_notice("en", ticket_id)
    assert f"#{ticket_id}" in body["response"]
    assert body["requires_escalation"] is True and body["debug"]["escalation_reason"] == "duplicate_problem"
    assert len(llm_of(stack).called("answer")) == calls_before
    # AND another problem of the same user is answered as usual
    other = ask(chat, PASSWORD_Q, session_id="other").get_json()
    assert other["requires_escalation"] is False and [s["entry_id"] for s in other["sources"]] == ["kb_001"]


def test_a_tenant_with_no_knowledge_gets_no_results_and_no_sources(make_stack: MakeStack) -> None:
    # GIVEN a tenant whose knowledge base is empty
    stack = make_stack(llm=ScriptedLLM())
    # WHEN a customer asks a question
    body = ask(function_client("chat"), PASSWORD_Q).get_json()
    # THEN nothing is quoted, a person is offered, and the LLM is not asked
    assert body["response"] == phrases.no_answer_notice("en")
    assert body["requires_escalation"] is True and body["debug"]["escalation_reason"] == "no_results"
    assert body["sources"] == [] and body["classification_confidence"] == 0.0
    assert llm_of(stack).called("answer") == []


def test_an_off_topic_question_is_told_nothing_was_found_and_quotes_no_article(stack: FastStack) -> None:
    body = ask(function_client("chat"), "What's the weather in Cape Town tomorrow?").get_json()
    assert body["response"] == phrases.no_answer_notice("en")
    assert body["sources"] == [] and body["requires_escalation"] is True
    assert body["debug"]["escalation_reason"] == "no_results"
    # the nearest articles were retrieved, but none is cited or quoted
    assert body["debug"]["retrieval"] and "Settings" not in body["response"]


def test_an_llm_failure_gets_the_ai_error_notice_and_escalates(make_stack: MakeStack) -> None:
    stack = scripted(make_stack, LLMError("model overloaded"))
    response = ask(function_client("chat"), PASSWORD_Q)
    # THEN a polite reply, never a 5xx
    assert response.status_code == 200
    body = response.get_json()
    assert body["response"] == phrases.ai_error_notice("en")
    assert body["requires_escalation"] is True and body["sources"] == []
    assert body["debug"]["escalation_reason"] == "ai_error" and body["debug"]["llm_error"] == "model overloaded"
    (_, _), (_, reply_meta) = stack.store.messages("default", conversation())
    assert reply_meta["usage"]["llm_errors"] == 1


def test_a_draft_the_model_says_does_not_answer_is_replaced_by_the_no_results_notice(make_stack: MakeStack) -> None:
    # GIVEN a threshold low enough that the confidence cap of unanswered drafts alone would not refuse it
    scripted(make_stack, draft("Probably try turning it off and on again.", answered=False), ESCALATION_THRESHOLD="0.1")
    # WHEN the model drafts a reply but says the passages do not answer the question
    body = ask(function_client("chat"), PASSWORD_Q).get_json()
    # THEN the draft is not shown: the customer is told nothing was found
    assert body["response"] == phrases.no_answer_notice("en")
    assert body["sources"] == [] and body["requires_escalation"] is True
    assert body["debug"]["escalation_reason"] == "no_results" and body["debug"]["model_answered"] is False


def test_a_low_confidence_answer_is_hedged_and_escalated(make_stack: MakeStack) -> None:
    # GIVEN a threshold above the answer's confidence (but not twice above it)
    stack = make_stack(ESCALATION_THRESHOLD="0.99")
    stack.seed()
    body = ask(function_client("chat"), PASSWORD_Q).get_json()
    # THEN the answer is introduced as uncertain, still cites its article, and escalates
    assert 0.5 <= body["classification_confidence"] < 0.99
    assert body["response"] == phrases.hedged("en", EXTRACTIVE_A)
    assert [s["entry_id"] for s in body["sources"]] == ["kb_001"]
    assert body["requires_escalation"] is True and body["debug"]["escalation_reason"] == "low_confidence"


def test_the_model_asking_for_a_person_escalates_an_otherwise_confident_answer(make_stack: MakeStack) -> None:
    scripted(make_stack, draft(needs_human=True, reason="account locked"), draft())
    chat = function_client("chat")
    flagged = ask(chat, PASSWORD_Q, session_id="flagged").get_json()
    plain = ask(chat, PASSWORD_Q, session_id="plain").get_json()
    # THEN the answer is given unhedged, cited, and escalated (reason low_confidence, as documented)
    assert flagged["response"] == PASSWORD_A and flagged["classification_confidence"] >= 0.3
    assert [s["entry_id"] for s in flagged["sources"]] == ["kb_001"]
    assert flagged["requires_escalation"] is True and flagged["debug"]["escalation_reason"] == "low_confidence"
    assert flagged["debug"]["needs_human"] == {"value": True, "reason": "account locked"}
    # AND the same draft without the flag is not escalated
    assert plain["requires_escalation"] is False and plain["response"] == PASSWORD_A


def test_a_conversation_older_than_the_limit_is_offered_a_person_once(make_stack: MakeStack) -> None:
    stack = make_stack(ESCALATION_MAX_MINUTES="30")
    stack.seed()
    chat = function_client("chat")
    assert ask(chat, PASSWORD_Q).get_json()["requires_escalation"] is False
    # GIVEN the conversation started 31 minutes ago
    stack.db.conversations[("default", conversation())]["created_at"] = datetime.now(UTC) - timedelta(minutes=31)
    # WHEN the customer asks again, twice
    late = ask(chat, PASSWORD_Q).get_json()
    again = ask(chat, PASSWORD_Q).get_json()
    # THEN the first is still answered but offers a person (time_exceeded); the second does not
    assert late["requires_escalation"] is True and late["debug"]["escalation_reason"] == "time_exceeded"
    assert late["response"] == EXTRACTIVE_A and late["sources"]
    assert again["requires_escalation"] is False
    assert stack.db.conversations[("default", conversation())]["time_escalated"] is True


def test_a_time_limit_of_zero_never_offers_a_person_for_age(make_stack: MakeStack) -> None:
    stack = make_stack(ESCALATION_MAX_MINUTES="0")
    stack.seed()
    chat = function_client("chat")
    ask(chat, PASSWORD_Q)
    stack.db.conversations[("default", conversation())]["created_at"] = datetime.now(UTC) - timedelta(days=3)
    assert ask(chat, PASSWORD_Q).get_json()["requires_escalation"] is False


def test_a_tenants_escalation_threshold_overrides_the_deployment_default(make_stack: MakeStack) -> None:
    # GIVEN a strict deployment threshold, and a tenant that sets a lenient one
    stack = make_stack(ESCALATION_THRESHOLD="0.99")
    stack.seed()
    stack.store.save_tenant(Tenant("default", "Default", TenantSettings(escalation_threshold=0.5)))
    lenient = ask(function_client("chat"), PASSWORD_Q).get_json()
    # THEN the tenant's threshold decides: the same answer is given plainly
    assert lenient["requires_escalation"] is False and lenient["response"] == EXTRACTIVE_A
    # GIVEN a lenient deployment and a tenant that sets a strict threshold
    stack = make_stack(ESCALATION_THRESHOLD="0.1")
    stack.seed()
    stack.store.save_tenant(Tenant("default", "Default", TenantSettings(escalation_threshold=0.99)))
    strict = ask(function_client("chat"), PASSWORD_Q).get_json()
    assert strict["requires_escalation"] is True and strict["debug"]["escalation_reason"] == "low_confidence"
    assert strict["response"] == phrases.hedged("en", EXTRACTIVE_A)


def test_a_short_follow_up_is_searched_together_with_the_previous_question(stack: FastStack) -> None:
    chat = function_client("chat")
    ask(chat, "How do I process a refund?", session_id="refunds")
    # WHEN the customer follows up in the same conversation with a short question
    follow_up = ask(chat, "how many days?", session_id="refunds").get_json()
    # THEN the refund article answers it
    assert [s["entry_id"] for s in follow_up["sources"]] == ["kb_002"]
    assert "5 to 10 business days" in follow_up["response"] and follow_up["requires_escalation"] is False
    # AND the same words with no previous question find nothing
    alone = ask(chat, "how many days?", session_id="fresh").get_json()
    assert alone["sources"] == [] and alone["debug"]["escalation_reason"] == "no_results"


def test_a_turn_stores_both_messages_and_counts_usage(stack: FastStack) -> None:
    chat = function_client("chat")
    body = ask(chat, "How do I add a new user?", agent="customer", session_id="s-1").get_json()
    # THEN the question and the reply are stored, the reply with its sources and usage
    (question, _), (reply, meta) = stack.store.messages("default", conversation("s-1"))
    assert (question.role, question.content) == ("user", "How do I add a new user?")
    assert (reply.role, reply.content) == ("assistant", body["response"])
    assert meta["sources"] == ["kb_003"] and meta["usage"]["llm_calls"] == 1
    assert meta["requires_escalation"] is False and meta["confidence"] == body["classification_confidence"]
    stored = stack.db.conversations[("default", conversation("s-1"))]
    assert stored["turn_count"] == 1 and stored["channel"] == "crm" and stored["owner"] == "ai"
    # AND the tenant's daily counters count every request, by channel
    ask(chat, "And how do I remove one?", session_id="s-1")
    ask(chat, "I want to talk to a human", session_id="s-2")
    usage = stack.store.daily_usage("default", today())
    assert usage["requests"] == 3 and usage["channel_crm"] == 3


def test_the_test_agent_shows_debug_and_the_other_agents_do_not(stack: FastStack) -> None:
    chat = function_client("chat")
    body = ask(chat, "How do I export leads to CSV?", agent="test").get_json()
    debug = body["debug"]
    assert {"load_ms", "retrieve_ms", "llm_ms", "save_ms", "total_ms"} <= set(debug["timings_ms"])
    assert debug["retrieval"][0]["article_id"] == "kb_008" and debug["retrieval_mode"] == "lexical"
    assert debug["provider"] == "extractive" and debug["model"] == "extractive"
    assert set(debug["tokens"]) == {"prompt", "output", "total"}
    assert debug["tenant"] == "default" and debug["language"] == "en"
    assert debug["escalation_reason"] is None and debug["cited_articles"] == ["kb_008"]
    assert debug["source_urls"] == {"kb_008": "https://help.example.com/articles/kb_008"}
    for agent in ("customer", "support"):
        other = ask(chat, "How do I export leads to CSV?", agent=agent).get_json()
        assert "debug" not in other and other["sources"] == body["sources"]


def test_the_embedding_model_hands_off_a_request_no_rule_knows_only_when_retrieval_embeds(
    make_stack: MakeStack,
) -> None:
    stack = make_stack(EMBEDDING_BACKEND="local")
    stack.seed()
    chat = function_client("chat")
    # WHEN a customer asks for a person in words no rule was written for, in a KB with vectors
    body = ask(chat, "我要找个能解决问题的人", agent="test", session_id="zh").get_json()
    # THEN the embedding model's second opinion hands it off
    assert body["response"] == phrases.handoff_notice("zh") and body["requires_escalation"] is True
    assert body["debug"]["handoff_rule"] == "zh:similar" and body["debug"]["handoff_similarity"] >= 0.7
    # AND an ordinary question gets its probability and an answer
    answer = ask(chat, PASSWORD_Q, agent="test", session_id="pw").get_json()
    assert answer["debug"]["handoff_rule"] == "" and answer["debug"]["handoff_similarity"] < 0.7
    assert answer["sources"] and answer["debug"]["retrieval_mode"] == "hybrid"


def test_a_kb_without_vectors_gets_no_embedding_for_the_handoff_model(make_stack: MakeStack) -> None:
    stack = make_stack(EMBEDDING_BACKEND="local")
    import_articles(stack.store, "default", read_articles(DEMO_KB), replace=True, embedder=None)
    # WHEN retrieval will not embed (the KB has no vectors), the same request is judged by the rules alone
    plain = ask(function_client("chat"), "我要找个能解决问题的人", agent="test").get_json()
    assert "handoff_similarity" not in plain["debug"] and plain["debug"]["handoff_rule"] == ""
    assert plain["debug"]["retrieval_mode"] == "lexical" and plain["debug"]["escalation_reason"] != "user_request"
