"""Does the customer ask for a human? A multilingual detector with hard negatives.

Seed 000 matched five English keywords and seed 003 matched bare Mongolian words such as "хүн"
(person) and "тусламж" (help); both fire on ordinary sentences ("human resources", "someone
stole my password", "is my agent licence valid?"). Here a request needs a *request shape*: a
verb of talking/connecting/wanting aimed at a human noun, or a message that is nothing but such
a noun ("operator!", "human please"). Questions about the bot's nature ("are you a human?")
are not requests unless a real request is also present.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from switchboard.core.language import detect_language

_F = re.IGNORECASE | re.UNICODE

# Human nouns, per language (the targets of a request).
_EN_HUMAN = (
    r"(?:real |live |actual |human |support |customer service |customer care )?"
    r"(?:human(?: being)?|person|people|agent|representative|rep|someone|somebody|operator|"
    r"staff(?: member)?|manager|supervisor|employee|advisor|adviser|consultant|specialist|"
    r"support team|support|customer service|customer care|team member)"
)
_EN_NOT_AFTER = r"(?!\s*(?:licen[cs]e|account|id\b|code|portal|number|dashboard|profile|resources|login|app\b))"

_STRONG: dict[str, list[str]] = {
    "en": [
        rf"\b(?:can|could|may)\s+i\s+(?:get|have)\s+(?:a |an )?(?:human(?: being)?|real person|live person|person|representative|operator)\b{_EN_NOT_AFTER}",
        rf"\b(?:talk|speak|chat|get through)\s+(?:to|with)\s+(?:a |an |the |some |your |one of your )?{_EN_HUMAN}\b{_EN_NOT_AFTER}",
        rf"\b(?:connect|transfer|put|pass|forward|escalate|redirect|route|hand)\s+(?:me\s+|this\s+|it\s+)?(?:over\s+|through\s+|back\s+)?(?:to|with)\s+(?:a |an |the |your )?{_EN_HUMAN}\b{_EN_NOT_AFTER}",
        rf"\b(?:want|need|(?:'d|would) like|demand|request|prefer|get me|give me|let me have)\s+(?:to\s+(?:talk|speak)\s+(?:to|with)\s+)?(?:a |an |some )(?:real |live |actual )?(?:human(?: being)?|person|agent|representative|operator|rep)\b{_EN_NOT_AFTER}",
        r"\b(?:real|live|actual)\s+(?:human(?: being)?|person|agent|operator)\s+(?:please|now|asap)\b",
        r"\b(?:get|have|give)\s+(?:me\s+)?(?:a |an )?(?:real|live|actual)\s+(?:human|person|agent|operator)\b",
        rf"\b(?:put|get)\s+me\s+in\s+touch\s+with\s+(?:a |an |the |your |some )?(?:{_EN_HUMAN}|team)\b",
        r"\bis (?:there )?(?:a |an |any )?(?:human|person|agent|operator|someone|somebody|anyone|representative)\s+(?:available|around|free|online)\b",
        r"\b(?:have|get|ask)\s+(?:someone|somebody|a person|an agent|support)\s+(?:to\s+)?(?:call|phone|ring)\s+me\b",
        r"\b(?:could|can|would|will)\s+(?:a |an |some )?(?:human|person|agent|someone|somebody|anyone|representative)\b[^.?!]{0,20}\bhelp me\b",
        r"\b(?:someone|somebody|anyone|a person|an agent)\b[^.?!]{0,25}\bon the (?:line|phone|chat)\b",
        r"\b(?:not|don'?t|do not|no more)\s+(?:want\s+)?(?:to\s+)?(?:talk(?:ing)?|speak(?:ing)?|chat(?:ting)?)\s+(?:to|with)\s+(?:a |the |this |your )?(?:bot|robot|machine|ai)\b",
        r"\bis there (?:a |any )?(?:human|person|someone|somebody|anyone|agent)\b.*\b(?:talk|speak|help)\b",
        r"\b(?:call|ring|phone)\s+me\s+back\b",
        r"\b(?:escalate|escalation)\b.*\b(?:human|person|agent|manager|supervisor)\b",
    ],
    "es": [
        r"\b(?:me\s+)?(?:puede[ns]?|podr[ií]an?|podr[ií]as)\s+(?:pasar|comunicar|transferir|conectar)(?:me)?\s+con\b",
        r"\bhay\s+(?:alg[uú]n\s+|alguna\s+|un\s+|una\s+)?(?:asesor|agente|humano|persona|operador|ejecutivo)\w*\s+disponible",
        r"\b(?:quiero|prefiero)\s+(?:hablar\s+con\s+)?una\s+persona\s*(?:[.!,]|$|real|de verdad|por favor)",
        r"\b(?:hablar|comunicar(?:me)?|conversar|chatear)\s+con\s+(?:un |una |el |la |alg[uú]n |alguna )?(?:humano|persona(?: real)?|agente|asesor(?:a)?|operador(?:a)?|representante|alguien|ejecutivo|encargado|gerente|supervisor|empleado|soporte)",
        r"\b(?:p[aá]s(?:a|e)me|comun[ií]c(?:a|ame|ame)|trans?fi[eé]r(?:e|a)me|con[eé]cta(?:me)?|ponme)\s+con\b",
        r"\bme\s+(?:comunicas?|comunique|pasas?|pase|conectas?|conecte|transfieres?|transfiera)\s+con\b",
        r"\b(?:quiero|necesito|deseo|prefiero)\s+(?:un |una )(?:humano|persona real|agente|asesor(?:a)?|operador(?:a)?|representante)",
        r"\batenci[oó]n (?:humana|personal(?:izada)?)\b",
        r"\bno quiero (?:hablar con )?(?:un |el )?(?:bot|robot|m[aá]quina)\b",
        r"\bat(?:ie|e)nd\w*\b[^.?!]{0,25}\b(?:una persona|un humano|un agente|un asesor|personalmente)\b",
        r"\bhay alguien\b[^.?!]{0,20}\b(?:ayud|atend)\w*",
        r"\b(?:me\s+(?:puede|pueden|podr[ií]a|podr[ií]an)\s+llamar|ll[aá]m(?:e|en)me|que me llame)\b",
    ],
    "pt": [
        r"\b(?:falar|conversar|comunicar(?:-me)?)\s+com\s+(?:um |uma |o |a |algum |alguma )?(?:humano|ser humano|pessoa(?: real| de verdade)?|atendente|agente|operador(?:a)?|representante|algu[eé]m|consultor(?:a)?|gerente|supervisor|funcion[aá]rio|suporte|especialista|corretor(?:a)?|vendedor(?:a)?)",
        r"\b(?:me\s+)?(?:transf[ie]r\w*|pass(?:e|a)|encaminh(?:e|a)|conect(?:e|a))(?:-me)?\s+(?:para|pra|pro|a|ao|com)\s+(?:um |uma |o |a )?(?:humano|pessoa|atendente|atendimento|agente|operador|algu[eé]m|suporte)",
        r"\bcad[eê]\s+(?:o |a |um |uma )?(?:atendente|humano|pessoa|algu[eé]m|suporte|gerente|corretor)",
        r"\batendimento\s+(?:com|por)\s+(?:uma |um )?(?:pessoa|humano|atendente)",
        r"\blig(?:a|ue|uem)\s+(?:pra|para)\s+mim\b",
        r"\b(?:quero|preciso|gostaria de|prefiro)\s+(?:de\s+)?(?:um |uma )(?:humano|pessoa real|atendente|agente|operador(?:a)?|representante)",
        r"\batendimento humano\b",
        r"\bn[aã]o quero (?:falar com )?(?:um |o )?(?:rob[oô]|bot|m[aá]quina)\b",
        r"\b(?:transferir|transfira|passar|encaminhar|conectar|coloca\w*|cham[ae]\w*)\b[^.?!]{0,30}\b(?:atendente|humano|pessoa|agente|operador|suporte|gerente|consultor)\b",
        r"\batendid[oa]\s+por\s+(?:uma |um )?(?:pessoa|humano|atendente)\b",
        r"\btem\s+algu[eé]m\b[^.?!]{0,20}\b(?:atend|ajud)\w*",
        r"\b(?:algu[eé]m\s+(?:pode|poderia)\s+me\s+ligar|me\s+lig(?:ue|uem|a)\b|me\s+ligar\b)",
    ],
    "fr": [
        r"\b(?:un|une)\s+(?:vrai\w*\s+)?(?:humain|conseill\w+|agent|personne|opérat\w+)\s+(?:peut|pourrait)[- ](?:il\s+|elle\s+)?m'aider\b",
        r"\by a-t-il\s+(?:quelqu'un|un conseiller|une conseillère|un humain|une personne|un agent)\b",
        r"\b(?:parler|discuter|échanger|echanger)\s+(?:à|a|au|avec)\s+(?:un |une |le |la |quelqu'un|quelqu’un)?\s*(?:vrai |vraie |réel |reel )?(?:humain|être humain|personne|conseiller|conseillère|agent|opérateur|operateur|opératrice|représentant|responsable|quelqu'un|quelqu’un|support|service client)",
        r"\b(?:mettez|mets|passez|transférez|transferez|redirigez)[- ]moi\s+(?:en (?:relation|contact)\s+)?(?:avec|à|a|au|vers)\b",
        r"\bje (?:veux|voudrais|souhaite|préfère|prefere)\s+(?:un |une )(?:humain|vraie personne|conseiller|agent|opérateur|operateur)",
        r"\bune vraie personne\b",
        r"\bpassez[- ]moi\s+(?:le |la |l'|un |une )?(?:service client|support|conseill\w+|responsable|quelqu'un|agent|humain)",
        r"\b(?:je peux|puis-je|pourrais-je|peut-on)\s+(?:avoir|parler à|parler avec)\s+(?:un |une )?(?:conseill\w+|agent|humain|opérat\w+|personne)\b",
        r"\brappelez[- ]moi\b|\bquelqu'un (?:peut|pourrait) me rappeler\b",
        r"\b(?:me passer|me mettre en relation|mise? en relation|contacter|joindre)\b[^.?!]{0,25}\b(?:quelqu'un|humain|conseill\w+|agent|opérat\w+|support|service client|responsable)\b",
    ],
    "de": [
        r"\b(?:einen|eine|den|die)\s+(?:echten\s+|richtigen\s+)?(?:menschen|mitarbeiter(?:in)?|berater(?:in)?|kundenberater(?:in)?|ansprechpartner(?:in)?|vorgesetzten)\s+sprechen\b",
        r"\b(?:rückruf\s+(?:bitte|erwünscht)|bitte\s+(?:um\s+)?(?:einen\s+)?rückruf)\b",
        r"\bmit\s+(?:einem |einer |dem |der |jemandem|jemand)?\s*(?:echten |richtigen |realen )?(?:menschen|mensch|mitarbeiter(?:in)?|berater(?:in)?|agenten|person|kundendienst|kundenservice|support|jemandem|ansprechpartner|vorgesetzten)\s+(?:sprechen|reden|verbinden|chatten)",
        r"\b(?:verbinden|leiten)\s+sie\s+mich\b",
        r"\b(?:ich\s+)?(?:möchte|will|brauche|hätte gern)\s+(?:bitte\s+)?(?:einen |eine |den |die )(?:echten |richtigen )?(?:menschen|mitarbeiter|berater|person|ansprechpartner|kundendienst|kundenservice|vorgesetzten)\b(?![^.?!]*\b(?:hinzufügen|anlegen|einladen|entfernen|löschen|zuweisen)\b)",
        r"\b(?:echten|richtigen)\s+menschen\b",
        r"\bmenschliche\w*\s+(?:hilfe|unterstützung|berater\w*|ansprechpartner)\b",
        r"\bmit\s+(?:einem|einer)\s+(?:mitarbeiter\w*|menschen|berater\w*|agenten)\s+verbunden\s+werden\b",
        r"\bgibt es (?:jemanden|einen mitarbeiter|einen menschen)\b[^.?!]{0,30}\bhelfen\b",
        r"\bist (?:ein|eine) (?:mitarbeiter\w*|berater\w*|mensch|ansprechpartner)\s+(?:erreichbar|verfügbar|da)\b",
        r"\brufen sie mich\b[^.?!]{0,10}\bzurück\b|\bkann mich jemand\b[^.?!]{0,10}\b(?:zurück)?rufen\b",
    ],
    "it": [
        r"\b(?:parlare|chattare|comunicare)\s+con\s+(?:un |una |l'|il |la |qualcuno)?\s*(?:operatore|operatrice|persona(?: reale| vera)?|umano|essere umano|agente|consulente|responsabile|qualcuno|assistenza)",
        r"\b(?:passami|passatemi|mettimi in contatto con|trasferiscimi)\b",
        r"\bvoglio\s+(?:un |una )(?:operatore|persona reale|persona vera|umano|agente)",
    ],
    "nl": [
        r"\b(?:praten|spreken|chatten)\s+met\s+(?:een |de )?(?:echte )?(?:mens|medewerker|persoon|iemand|agent|klantenservice)",
        r"\b(?:verbind|doorverbinden)\b.*\b(?:medewerker|mens|iemand)\b",
    ],
    "ru": [
        r"\b(?:поговорить|говорить|связаться|свяжите|свяжи|пообщаться|общаться|переписываться|соединить|соедините|соедини|переключите|переключи|переключить|переведите|переведи|перевести|позовите|позови|позвать)\b[^.?!]{0,30}\b(?:оператор\w*|человек\w*|сотрудник\w*|менеджер\w*|специалист\w*|консультант\w*|администратор\w*|живым|живой|поддержк\w*)",
        # "хочу"/"нужен" only right before the person: "хочу удалить менеджера" is not a request.
        r"\b(?:дайте|дай|нужен|нужна|хочу|можно)\s+(?:мне\s+)?(?:помощь\s+)?(?:(?:живо\w*|реальн\w*|настоящ\w*)\s+)?(?:оператор\w*|человек\w*|сотрудник\w*|менеджер\w*|специалист\w*|консультант\w*)\b",
        r"\bесть\s+(?:кто|кто-нибудь|кто-то)\s+(?:живой|живые|из\s+(?:людей|сотрудников|поддержки))\b",
        r"\b(?:не\s+хочу|надоело)\s+(?:говорить|общаться|разговаривать|переписываться|болтать)\s+с\s+(?:ботом|роботом|машиной)",
        r"\b(?:поговорить|связаться|пообщаться)\s+с\s+кем[- ]?(?:нибудь|то)\b|\bс\s+кем[- ]?(?:нибудь|то)\s+(?:поговорить|связаться|пообщаться)\b",
        r"\b(?:живо\w*|реальн\w*|настоящ\w*)\s+(?:человек\w*|оператор\w*|сотрудник\w*|специалист\w*)",
        r"^\s*(?:оператор|менеджер|человек)[\s!.]*(?:пожалуйста)?[\s!.]*$",
        r"^\s*(?:можно|дайте|нужен|нужна)\s+(?:оператор\w*|человек\w*|менеджер\w*|сотрудник\w*)\s*[?!.]*\s*$",
        r"\b(?:перезвоните|перезвони|перезвонят|позвоните)(?:\s+мне)?\b(?![^.?!]*\bклиент)",
    ],
    "uk": [
        r"\b(?:поговорити|зв'язатися|зв’язатися|з'єднайте|з’єднайте|покличте|переведіть)\b[^.?!]{0,30}\b(?:оператор\w*|людин\w*|співробітник\w*|менеджер\w*|консультант\w*|живою)",
        r"\b(?:хочу|потрібен|потрібна)\s+(?:(?:жив\w*|справжн\w*)\s+)?(?:оператор\w*|людин\w*|співробітник\w*|менеджер\w*|консультант\w*)\b",
        r"\bживою\s+людиною\b",
    ],
    "mn": [
        r"(?:ажилтан|хүн|оператор|менежер|зөвлөх)(?:тай|тэй|той)\s+(?:холбо|ярь|ярил|ярих|ярья|харилц|уулз)",
        r"(?:ажилтан|хүн|оператор|менежер)\s*(?:дуудаад|дууд|дуудаач|холбоод)",
        r"(?:холбоод|дуудаад)\s+өг",
        r"(?:ажилтан|хүн|оператор|менежер)\s+(?:хэрэгтэй|авмаар|хүсч\w*|хүсэж\w*)",
        r"\bярилцмаар\b",
        r"\b(?:manager|supervisor)\s*(?:дуудаач|дуудаад|холбоод|тай|тэй)",
        r"(?:ажилтан|хүн|оператор|менежер|зөвлөх)\w*\s+(?:руу\s+|рүү\s+)?(?:холбо|шилжүүл)\w*",
    ],
    "tr": [
        r"(?:insan|temsilci|operatör|yetkili|müdür|çalışan|biri|kişi|müşteri hizmetleri|destek ekib|çağrı merkez)\w*\s+(?:ile\s+)?(?:görüş|konuş|yazış)\w*",
        r"(?:insan|temsilci|operatör|yetkili|biri|kişi)\w*\s+(?:ile\s+)?iletişim\w*",
        r"\b(?:bot|robot)\w*\s+(?:konuşmak|görüşmek|yazışmak)\s+istemiyorum\b",
        r"\b(?:temsilci|operatör|yetkili|insan)\s+(?:lazım|gerek|gerekiyor|istiyorum)\b",
        r"\bcanlı (?:destek|temsilci|kişi)\b",
        r"\bbeni\s+(?:geri\s+)?ara\w*",
        r"\byetkili (?:biri|birisi|kimse) var m[ıi]\b",
        r"\b(?:beni\s+)?(?:temsilciye|operatöre|yetkiliye|insana)\s+(?:bağla|aktar|yönlendir)",
        r"\b(?:müşteri hizmetleri\w*|destek ekib\w*|canlı desteğ\w*|canlı destek\w*|çağrı merkez\w*|temsilci\w*|yetkili\w*|operatör\w*|insan\w*|çalışan\w*)\s+(?:bağla\w*|aktar\w*|yönlendir\w*)",
    ],
    "pl": [
        r"\b(?:porozmawiać|rozmawiać|pogadać|skontaktować się)\s+z\s+(?:prawdziwym |żywym )?(?:człowiekiem|konsultantem|konsultantką|pracownikiem|agentem|operatorem|kimś|osobą|doradcą)",
        r"\bpołącz(?:cie)?\s+mnie\s+z\b",
        r"\b(?:żywy|żywym|prawdziwy|prawdziwym)\s+(?:człowiek|człowiekiem|konsultant\w*)",
    ],
}

# A message that is only a human noun (plus "please"/punctuation) is a request too.
_BARE_NOUNS = (
    r"human|agent|representative|rep|operator|person|real person|live agent|live person|live chat|"
    r"customer service|support agent|manager|supervisor|someone|service client|"
    r"humano|agente|asesor|operador|operadora|persona|atendente|atendimento|"
    r"humain|conseiller|opérateur|operateur|mensch|mitarbeiter|operatore|"
    r"оператор|человек|менеджер|оператора|людина|ажилтан|ажилтан дуудаач|хүн|temsilci|operatör|konsultant"
)
_BARE = re.compile(
    rf"^\W*(?:(?:please|pls|por favor|s'il vous plaît|svp|bitte|per favore|пожалуйста|lütfen|proszę)\W+)?"
    rf"(?:an?\s+|un\s+|una\s+|um\s+|uma\s+)?(?:{_BARE_NOUNS})"
    rf"(?:\W+(?:please|pls|now|por favor|s'il vous plaît|svp|stp|bitte|per favore|пожалуйста|lütfen|proszę))?\W*$",
    _F,
)

# Questions about the bot's nature, and phrases that contain human nouns but are not requests.
_NEGATIVE = re.compile(
    r"\b(?:are|r) (?:you|u) (?:a |an )?(?:real |actual )?(?:human|person|bot|robot|ai|machine)\b"
    r"|\bam i (?:talking|speaking|chatting) (?:to|with) (?:a |an )?(?:human|person|bot|robot|machine|ai)\b"
    r"|\b(?:is this|is that) (?:a |an )?(?:human|person|bot|robot|machine|ai)\b"
    r"|\beres (?:un |una )?(?:humano|persona|robot|bot)\b|\bvocê é (?:um |uma )?(?:humano|pessoa|robô|robo|bot)\b"
    r"|\bêtes[- ]vous (?:un |une )?(?:humain|robot|bot)\b|\bbist du (?:ein |eine )?(?:mensch|bot|roboter)\b"
    r"|\bbin ich mit (?:einem |einer )?(?:menschen|mensch|bot|roboter)\b"
    r"|\bsei (?:un |una )?(?:umano|robot|bot)\b|\bты (?:человек|бот|робот)\b|\bвы (?:человек|бот|робот)\b"
    r"|\bчи (?:хүн|бот|робот)\b|\bsen (?:insan|bot|robot) m[ıi]s[ıi]n\b|\bczy jesteś (?:człowiekiem|botem)\b",
    _F,
)


@dataclass(frozen=True)
class HandoffIntent:
    """The verdict on one message.

    Attributes:
        wants_human: True when the customer asks for a human.
        language: Detected language of the message.
        rule: Which rule fired (for debugging), or "" when none did.
    """

    wants_human: bool
    language: str
    rule: str = ""


_COMPILED = {lang: [re.compile(p, _F) for p in pats] for lang, pats in _STRONG.items()}

# A short message (a few words, not a question) naming a person to talk to: "un humain svp",
# "echter Mensch bitte", "persona real por favor". "Agent" is left out: in property CRMs an
# agent is usually the customer's own colleague.
_SHORT_NOUNS = re.compile(
    r"\b(?:human|person|operator|representative|humano|humana|persona|pessoa|atendente|humain|conseill\w+|"
    r"mensch\w*|mitarbeiter\w*|berater\w*|operador\w*|asesor\w*|operatore|оператор\w*|человек\w*|"
    r"сотрудник\w*|менеджер\w*|ажилтан\w*|temsilci\w*|insan\w*|operatör\w*)\b",
    _F,
)
_NOT_A_REQUEST = re.compile(
    r"human resources|recursos humanos|ressources humaines|personalabteilung|insan kaynaklar|"
    r"отдел кадров|человеческ\w* ресурс|хүний нөөц|risorse umane",
    _F,
)
_ASKING = re.compile(
    r"\b(?:please|pls|plz|por favor|svp|s'il (?:vous|te) pla[iî]t|bitte|per favore|пожалуйста|lütfen|proszę|"
    r"real|live|actual|vrai\w*|echte\w*|richtige\w*|жив\w+|настоящ\w+|gerçek|canlı)\b",
    _F,
)
SHORT_WORDS = 6


def _short_request(text: str) -> bool:
    words = text.split()
    return (
        0 < len(words) <= SHORT_WORDS
        and not text.rstrip().endswith("?")
        and bool(_SHORT_NOUNS.search(text))
        and (len(words) <= 2 or bool(_ASKING.search(text)))
        and not _NOT_A_REQUEST.search(text)
    )


def detect_handoff(text: str) -> HandoffIntent:
    """Decide whether ``text`` asks for a human, in any supported language.

    Every language's rules run on every message (customers mix languages), so the detected
    language only labels the verdict.

    Args:
        text: The customer's message.

    Returns:
        The verdict with the language and the rule that fired.
    """
    language = detect_language(text)
    normalized = " ".join(text.replace("’", "'").split())
    for lang, patterns in _COMPILED.items():
        for index, pattern in enumerate(patterns):
            if pattern.search(normalized):
                return HandoffIntent(True, language, f"{lang}:{index}")
    if _NEGATIVE.search(normalized):
        return HandoffIntent(False, language)
    if _BARE.match(normalized):
        return HandoffIntent(True, language, "bare")
    if _short_request(normalized):
        return HandoffIntent(True, language, "short")
    return HandoffIntent(False, language)
