"""Helper texts the AI sends on its own, in the customer's language.

Customers of rival systems complain that helper texts are always English; these follow the
detected language and fall back to English for languages not listed.
"""

from __future__ import annotations

_HANDOFF = {
    "en": "I'm connecting you with a member of our team. A person will continue this conversation with you shortly.",
    "es": "Te estoy conectando con una persona de nuestro equipo. Continuará esta conversación contigo en breve.",
    "pt": "Estou conectando você com uma pessoa da nossa equipe. Ela continuará esta conversa com você em breve.",
    "fr": "Je vous mets en relation avec un membre de notre équipe. Une personne va poursuivre cette conversation avec vous sous peu.",
    "de": "Ich verbinde Sie mit einem Mitglied unseres Teams. Eine Person setzt dieses Gespräch in Kürze mit Ihnen fort.",
    "it": "La sto mettendo in contatto con una persona del nostro team, che continuerà a breve questa conversazione.",
    "nl": "Ik verbind je door met een medewerker van ons team. Iemand neemt dit gesprek zo snel mogelijk over.",
    "ru": "Я передаю ваш разговор сотруднику нашей команды. Человек скоро продолжит с вами этот разговор.",
    "uk": "Я передаю вашу розмову співробітнику нашої команди. Людина незабаром продовжить з вами цю розмову.",
    "mn": "Би таныг манай багийн ажилтантай холбож байна. Ажилтан удахгүй тантай энэ яриаг үргэлжлүүлнэ.",
    "tr": "Sizi ekibimizden bir kişiye bağlıyorum. Bir temsilci kısa süre içinde bu görüşmeye devam edecek.",
    "pl": "Łączę Cię z członkiem naszego zespołu. Wkrótce ktoś będzie kontynuował tę rozmowę.",
    "zh": "我正在为您转接我们团队的工作人员，稍后会有人继续与您沟通。",
}

_AI_ERROR = {
    "en": "I'm sorry, I can't answer right now. I've flagged your question so a member of our team can help you.",
    "es": "Lo siento, ahora mismo no puedo responder. He marcado tu pregunta para que una persona de nuestro equipo te ayude.",
    "pt": "Desculpe, não consigo responder agora. Sinalizei sua pergunta para que alguém da nossa equipe possa ajudar.",
    "fr": "Désolé, je ne peux pas répondre pour le moment. J'ai signalé votre question pour qu'un membre de notre équipe vous aide.",
    "de": "Entschuldigung, ich kann gerade nicht antworten. Ich habe Ihre Frage markiert, damit Ihnen jemand aus unserem Team hilft.",
    "it": "Mi dispiace, al momento non posso rispondere. Ho segnalato la sua domanda a una persona del nostro team.",
    "nl": "Sorry, ik kan nu niet antwoorden. Ik heb je vraag doorgezet zodat een medewerker je kan helpen.",
    "ru": "Извините, сейчас я не могу ответить. Я передал ваш вопрос сотруднику, чтобы он вам помог.",
    "uk": "Вибачте, зараз я не можу відповісти. Я передав ваше питання співробітнику, щоб він вам допоміг.",
    "mn": "Уучлаарай, би одоогоор хариулж чадахгүй байна. Таны асуултыг манай ажилтанд дамжууллаа.",
    "tr": "Üzgünüm, şu anda yanıt veremiyorum. Sorunuzu ekibimizden birinin yardımcı olması için işaretledim.",
    "pl": "Przepraszam, nie mogę teraz odpowiedzieć. Przekazałem Twoje pytanie członkowi naszego zespołu.",
    "zh": "抱歉，我现在无法回答。我已将您的问题标记，我们团队的工作人员会为您提供帮助。",
}

_NO_ANSWER = {
    "en": "I couldn't find this in our help articles, so I don't want to guess. A member of our team can help you with it.",
    "es": "No encontré esto en nuestros artículos de ayuda y no quiero adivinar. Una persona de nuestro equipo puede ayudarte.",
    "pt": "Não encontrei isso nos nossos artigos de ajuda e não quero adivinhar. Alguém da nossa equipe pode ajudar.",
    "fr": "Je n'ai pas trouvé cela dans nos articles d'aide et je ne veux pas deviner. Un membre de notre équipe peut vous aider.",
    "de": "Ich habe dazu nichts in unseren Hilfeartikeln gefunden und möchte nicht raten. Jemand aus unserem Team kann helfen.",
    "it": "Non ho trovato questa informazione nei nostri articoli e non voglio tirare a indovinare. Il nostro team può aiutarla.",
    "nl": "Ik kon dit niet vinden in onze hulpartikelen en wil niet gokken. Een medewerker kan je helpen.",
    "ru": "Я не нашёл этого в наших справочных статьях и не хочу гадать. Сотрудник нашей команды сможет помочь.",
    "uk": "Я не знайшов цього в наших довідкових статтях і не хочу вгадувати. Співробітник нашої команди допоможе.",
    "mn": "Би үүнийг манай тусламжийн нийтлэлээс олсонгүй, тааварлахыг хүсэхгүй байна. Манай ажилтан танд туслах болно.",
    "tr": "Bunu yardım makalelerimizde bulamadım ve tahmin etmek istemiyorum. Ekibimizden biri size yardımcı olabilir.",
    "pl": "Nie znalazłem tego w naszych artykułach pomocy i nie chcę zgadywać. Ktoś z naszego zespołu pomoże.",
    "zh": "我在我们的帮助文章中没有找到相关内容，不想随意猜测。我们团队的工作人员可以为您提供帮助。",
}

_HUMAN_OWNS = {
    "en": "A member of our team is handling this conversation and will reply here.",
    "es": "Una persona de nuestro equipo está atendiendo esta conversación y te responderá aquí.",
    "pt": "Uma pessoa da nossa equipe está cuidando desta conversa e responderá aqui.",
    "fr": "Un membre de notre équipe s'occupe de cette conversation et vous répondra ici.",
    "de": "Ein Mitglied unseres Teams betreut dieses Gespräch und antwortet Ihnen hier.",
    "it": "Una persona del nostro team sta seguendo questa conversazione e le risponderà qui.",
    "nl": "Een medewerker behandelt dit gesprek en antwoordt je hier.",
    "ru": "Этим разговором занимается сотрудник нашей команды, он ответит здесь.",
    "uk": "Цією розмовою займається співробітник нашої команди, він відповість тут.",
    "mn": "Манай ажилтан энэ яриаг хариуцаж байгаа бөгөөд энд хариулна.",
    "tr": "Bu görüşmeyle ekibimizden biri ilgileniyor ve buradan yanıt verecek.",
    "pl": "Tą rozmową zajmuje się członek naszego zespołu i odpowie tutaj.",
    "zh": "我们团队的工作人员正在处理此对话，并会在这里回复您。",
}


_DUPLICATE = {
    "en": "You already have support ticket #{ticket} open about this, so I haven't opened another. A support agent will reach out to you; reply to the ticket email to add details.",
    "es": "Ya tienes abierto el ticket de soporte #{ticket} sobre esto, así que no he abierto otro. Un agente se pondrá en contacto contigo; responde al correo del ticket para añadir detalles.",
    "pt": "Você já tem o chamado de suporte #{ticket} aberto sobre isso, então não abri outro. Um agente entrará em contato; responda ao e-mail do chamado para acrescentar detalhes.",
    "fr": "Vous avez déjà le ticket de support n°{ticket} ouvert à ce sujet, je n'en ai donc pas ouvert d'autre. Un agent vous contactera ; répondez à l'e-mail du ticket pour ajouter des détails.",
    "de": "Sie haben dazu bereits das Support-Ticket #{ticket} offen, daher habe ich kein weiteres angelegt. Ein Mitarbeiter meldet sich; antworten Sie auf die Ticket-E-Mail, um Details zu ergänzen.",
    "it": "Ha già il ticket di assistenza #{ticket} aperto su questo, quindi non ne ho aperto un altro. Un operatore la contatterà; risponda all'email del ticket per aggiungere dettagli.",
    "nl": "Je hebt hierover al supportticket #{ticket} open, dus ik heb geen nieuw ticket gemaakt. Een medewerker neemt contact op; beantwoord de ticketmail om details toe te voegen.",
    "ru": "По этому вопросу у вас уже открыт запрос #{ticket}, поэтому новый я не создавал. Сотрудник свяжется с вами; ответьте на письмо по запросу, чтобы добавить детали.",
    "uk": "З цього питання у вас уже відкрито запит #{ticket}, тож новий я не створював. Співробітник зв'яжеться з вами; дайте відповідь на лист запиту, щоб додати деталі.",
    "mn": "Танд энэ асуудлаар #{ticket} дугаартай хүсэлт нээлттэй байгаа тул шинээр үүсгээгүй. Ажилтан тантай холбогдоно; дэлгэрэнгүйг хүсэлтийн имэйлд хариулж нэмнэ үү.",
    "tr": "Bu konuda zaten açık #{ticket} numaralı destek talebiniz var, bu yüzden yenisini açmadım. Bir temsilci sizinle iletişime geçecek; ayrıntı eklemek için talep e-postasını yanıtlayın.",
    "pl": "Masz już otwarte zgłoszenie #{ticket} w tej sprawie, więc nie otworzyłem nowego. Konsultant się z Tobą skontaktuje; odpowiedz na e-mail zgłoszenia, aby dodać szczegóły.",
    "zh": "您已就此问题提交了工单 #{ticket}，因此我没有再创建新工单。客服人员会与您联系；如需补充信息，请直接回复工单邮件。",
}


def duplicate_notice(language: str, ticket_id: str) -> str:
    """Point the customer to the ticket already open for the same problem."""
    return _pick(_DUPLICATE, language).format(ticket=ticket_id)


_RATE_LIMITED = {
    "en": "You've reached the limit of questions for now. Please try again in {minutes} min.",
    "es": "Has alcanzado el límite de preguntas por ahora. Inténtalo de nuevo en {minutes} min.",
    "pt": "Você atingiu o limite de perguntas por enquanto. Tente novamente em {minutes} min.",
    "fr": "Vous avez atteint la limite de questions pour le moment. Réessayez dans {minutes} min.",
    "de": "Sie haben das Fragenlimit erreicht. Bitte versuchen Sie es in {minutes} Min. erneut.",
    "it": "Ha raggiunto il limite di domande per ora. Riprovi tra {minutes} min.",
    "ru": "Вы достигли лимита вопросов. Попробуйте снова через {minutes} мин.",
    "uk": "Ви досягли ліміту запитань. Спробуйте знову через {minutes} хв.",
    "mn": "Та асуултын хязгаарт хүрлээ. {minutes} минутын дараа дахин оролдоно уу.",
    "tr": "Şimdilik soru sınırına ulaştınız. Lütfen {minutes} dakika sonra tekrar deneyin.",
    "pl": "Osiągnięto limit pytań. Spróbuj ponownie za {minutes} min.",
    "nl": "Je hebt de limiet van vragen bereikt. Probeer het over {minutes} min opnieuw.",
    "zh": "您的提问次数暂时已达上限，请在 {minutes} 分钟后再试。",
}


def rate_limited_notice(language: str, reset_in_seconds: int) -> str:
    """Tell the customer when they can ask again."""
    return _pick(_RATE_LIMITED, language).format(minutes=max(1, -(-reset_in_seconds // 60)))


_HEDGE = {
    "en": "I'm not sure this fully answers your question, but this is the closest our help articles come:",
    "es": "No estoy seguro de que esto responda del todo a tu pregunta, pero es lo más cercano en nuestros artículos de ayuda:",
    "pt": "Não tenho certeza de que isto responde totalmente à sua pergunta, mas é o mais próximo nos nossos artigos de ajuda:",
    "fr": "Je ne suis pas sûr que cela réponde entièrement à votre question, mais c'est ce qui s'en rapproche le plus dans nos articles d'aide :",
    "de": "Ich bin nicht sicher, ob das Ihre Frage ganz beantwortet, aber das kommt ihr in unseren Hilfeartikeln am nächsten:",
    "it": "Non sono sicuro che questo risponda del tutto alla sua domanda, ma è quanto di più vicino c'è nei nostri articoli:",
    "nl": "Ik weet niet zeker of dit je vraag helemaal beantwoordt, maar dit komt in onze hulpartikelen het dichtst in de buurt:",
    "ru": "Не уверен, что это полностью отвечает на ваш вопрос, но ближе всего к нему в наших справочных статьях вот это:",
    "uk": "Не впевнений, що це повністю відповідає на ваше питання, але найближче до нього в наших довідкових статтях ось це:",
    "mn": "Энэ таны асуултад бүрэн хариулж байгаа эсэхэд эргэлзэж байна, гэхдээ манай тусламжийн нийтлэлд хамгийн ойр нь энэ:",
    "tr": "Bunun sorunuzu tam olarak yanıtladığından emin değilim, ancak yardım makalelerimizde en yakın bilgi bu:",
    "pl": "Nie mam pewności, czy to w pełni odpowiada na Twoje pytanie, ale to najbliższa informacja w naszych artykułach pomocy:",
    "zh": "我不确定这是否完全回答了您的问题，但这是我们帮助文章中最相关的内容：",
}

_OTHER_LANGUAGE = {
    "en": "Our help article on this is written in another language:",
    "es": "Nuestro artículo de ayuda sobre esto está escrito en otro idioma:",
    "pt": "Nosso artigo de ajuda sobre isso está escrito em outro idioma:",
    "fr": "Notre article d'aide à ce sujet est rédigé dans une autre langue :",
    "de": "Unser Hilfeartikel dazu ist in einer anderen Sprache verfasst:",
    "it": "Il nostro articolo di aiuto su questo è scritto in un'altra lingua:",
    "nl": "Ons hulpartikel hierover is in een andere taal geschreven:",
    "ru": "Наша справочная статья об этом написана на другом языке:",
    "uk": "Наша довідкова стаття про це написана іншою мовою:",
    "mn": "Энэ талаарх манай тусламжийн нийтлэл өөр хэл дээр бичигдсэн:",
    "tr": "Bu konudaki yardım makalemiz başka bir dilde yazılmıştır:",
    "pl": "Nasz artykuł pomocy na ten temat jest napisany w innym języku:",
    "zh": "我们关于此问题的帮助文章是用其他语言撰写的：",
}


def hedged(language: str, answer: str) -> str:
    """A partly relevant answer, introduced as such."""
    return f"{_pick(_HEDGE, language)}\n\n{answer}"


def in_other_language(language: str, answer: str) -> str:
    """An answer quoted from an article written in another language than the customer's."""
    return f"{_pick(_OTHER_LANGUAGE, language)}\n\n{answer}"


def _pick(table: dict[str, str], language: str) -> str:
    return table.get(language, table["en"])


def handoff_notice(language: str) -> str:
    """Tell the customer a person will take over."""
    return _pick(_HANDOFF, language)


def ai_error_notice(language: str) -> str:
    """Apologise after the LLM failed, without promising what the bot cannot keep."""
    return _pick(_AI_ERROR, language)


def no_answer_notice(language: str) -> str:
    """Say honestly that the knowledge base has nothing on the question."""
    return _pick(_NO_ANSWER, language)


def human_owns_notice(language: str) -> str:
    """Say that a person already owns the conversation."""
    return _pick(_HUMAN_OWNS, language)
