"""The default code list: the seven feedback types of the response and the intake
channels. Loaded by a data migration and by `feedback_code_list_load` (demo, tests);
administrators change names, deadlines and the public flag in the admin."""

# code, English, Spanish, Portuguese, sensitive, offered on the public form
TYPES = [
    (
        "question",
        "Question or request for information",
        "Pregunta o solicitud de información",
        "Pergunta ou pedido de informação",
        False,
        True,
    ),
    (
        "assistance",
        "Request for assistance",
        "Solicitud de asistencia",
        "Pedido de assistência",
        False,
        True,
    ),
    ("suggestion", "Suggestion", "Sugerencia", "Sugestão", False, True),
    ("complaint", "Complaint", "Queja", "Reclamação", False, True),
    ("appreciation", "Appreciation", "Agradecimiento", "Agradecimento", False, True),
    ("rumour", "Rumour", "Rumor", "Boato", False, False),
    (
        "sensitive",
        "Sensitive complaint (abuse, exploitation, fraud, misconduct)",
        "Queja sensible (abuso, explotación, fraude, mala conducta)",
        "Reclamação sensível (abuso, exploração, fraude, má conduta)",
        True,
        True,
    ),
]
CHANNELS = [
    ("hotline", "Hotline", "Línea telefónica", "Linha telefônica"),
    ("whatsapp", "WhatsApp", "WhatsApp", "WhatsApp"),
    ("sms", "SMS", "SMS", "SMS"),
    ("email", "E-mail", "Correo electrónico", "E-mail"),
    ("help-desk", "Help desk", "Punto de atención", "Balcão de atendimento"),
    ("suggestion-box", "Suggestion box", "Buzón de sugerencias", "Caixa de sugestões"),
    ("community-meeting", "Community meeting", "Reunión comunitaria", "Reunião comunitária"),
    ("web-form", "Web form", "Formulario web", "Formulário web"),
]
