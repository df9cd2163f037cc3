"""The multilingual human-request detector, including the hard negatives."""

from __future__ import annotations

import pytest

from switchboard.core.handoff import detect_handoff

WANTS_HUMAN = [
    "I want to talk to a human",
    "Can I speak with a real person please?",
    "connect me to an agent",
    "Transfer me to customer service",
    "human please",
    "Agent!",
    "operator",
    "I'd like to speak to someone from your support team",
    "I don't want to talk to a bot",
    "Are you a human? I want to talk to a real person",
    "Quiero hablar con una persona",
    "¿Puedo hablar con un agente?",
    "Quero falar com um atendente",
    "Me transfira para um humano por favor",
    "Je voudrais parler à un conseiller",
    "Ich möchte mit einem Mitarbeiter sprechen",
    "Voglio parlare con un operatore",
    "Хочу поговорить с оператором",
    "Соедините меня с живым человеком",
    "Ажилтантай холбож өгөөч",
    "Хүнтэй ярилцмаар байна",
    "Ажилтан дуудаад өг",
    "Müşteri temsilcisiyle görüşmek istiyorum",
    "Chcę porozmawiać z konsultantem",
]

NOT_HUMAN = [
    "are you a human?",
    "Is this a bot?",
    "How do I contact human resources?",
    "Is my agent licence valid?",
    "Someone stole my password",
    "How do I add an agent to my office?",
    "It looks like a person hacked my account",
    "Who is the agent on this listing?",
    "How do I reset a user's password?",
    "¿Eres un humano?",
    "Você é um robô?",
    "Ты человек?",
    "Чи хүн үү?",
    "Хүний нөөцийн хэлтэс хаана байдаг вэ?",
    "recursos humanos",
    "I need help with my invoice",
    "Тусламж хэрэгтэй байна, нууц үгээ мартсан",
]


@pytest.mark.parametrize("text", WANTS_HUMAN)
def test_requests_for_a_human_are_detected(text: str) -> None:
    assert detect_handoff(text).wants_human, text


@pytest.mark.parametrize("text", NOT_HUMAN)
def test_hard_negatives_are_not_requests(text: str) -> None:
    verdict = detect_handoff(text)
    assert not verdict.wants_human, (text, verdict.rule)


def test_verdict_carries_the_language() -> None:
    assert detect_handoff("Quiero hablar con una persona").language == "es"
    assert detect_handoff("Хүнтэй ярилцмаар байна").language == "mn"
