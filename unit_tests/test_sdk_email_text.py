"""E-mail boilerplate removal (query_sdk.email_text): the customer's words stay, what every e-mail shares goes."""

# Real mails: full-width punctuation, en dashes and no-break spaces are what is tested.

import pytest

from query_sdk.email_text import EMAIL_CLEANING_VERSION, clean_email

PROBLEM = "My card payment at the supermarket was declined twice yesterday although I have money on the account."
ASK = "Can you check what is wrong with the card?"


def test_gmail_reply_keeps_the_new_text_only():
    text = (
        f"Hi Acme,\n\n{PROBLEM}\n\nThanks,\nAnna\n\n"
        "On Mon, 3 Nov 2025 at 10:12, Acme Support <support@acme.example> wrote:\n"
        "> Thank you for contacting Acme Support. Could you send us a screenshot?\n"
        ">\n> Best regards,\n> Acme Support"
    )
    assert clean_email(text) == PROBLEM


def test_a_header_wrapped_over_two_lines_is_found():
    text = f"{PROBLEM}\n\nOn Mon, 3 Nov 2025 at 10:12, Acme Support <\nsupport@acme.example> wrote:\n> Old answer."
    assert clean_email(text) == PROBLEM


def test_outlook_history_below_the_text_is_cut():
    text = (
        f"{PROBLEM}\n\n________________________________\n"
        "From: Acme Support <support@acme.example>\nSent: Monday, 3 November 2025 10:12\n"
        "To: Anna <anna@example.com>\nSubject: RE: card\n\n"
        "Thank you for contacting us. Please send us the date of the payment so we can look into it."
    )
    assert clean_email(text) == PROBLEM


def test_original_message_separator_cuts_the_history():
    text = f"{PROBLEM}\n\n-----Original Message-----\nThe agent's earlier answer that should not be matched on."
    assert clean_email(text) == PROBLEM


def test_a_header_followed_by_unquoted_history_cuts_the_rest():
    text = f"{PROBLEM}\n\nOn 3 Nov 2025, at 10:12, Acme Support wrote:\n\nWe are sorry for the trouble with your card."
    assert clean_email(text) == PROBLEM


def test_inline_reply_after_a_quote_is_kept():
    text = (
        f"On 3 Nov 2025, Acme Support wrote:\n> Which card is it?\n\nThe debit card. {PROBLEM}\n\n> And when?\n\n{ASK}"
    )
    assert clean_email(text) == f"The debit card. {PROBLEM}\n\n{ASK}"


def test_german_reply_header_from_mail_parser_reply():
    text = f"{PROBLEM}\n\nAm 03.11.2025 um 10:12 schrieb Acme Support <support@acme.example>:\n> Alte Antwort."
    assert clean_email(text) == PROBLEM


def test_signature_block_goes_and_prose_after_it_stays():
    text = (
        f"{PROBLEM}\n\nKind regards,\nMaria Jensen\nOperations Manager | Northwind Traders Ltd\n"
        f"T: +44 20 7946 0123 | www.northwind.example\n\nP.S. {ASK} It is the one ending in 1234."
    )
    assert clean_email(text) == f"{PROBLEM}\n\nP.S. {ASK} It is the one ending in 1234."


@pytest.mark.parametrize("signature", ["-- \nAnna\nContoso GmbH", "Sent from my iPhone", "Get Outlook for Android"])
def test_signature_delimiters_and_phone_signatures_go(signature):
    assert clean_email(f"{PROBLEM}\n\n{signature}") == PROBLEM


def test_confidentiality_footer_goes():
    footer = (
        "CONFIDENTIALITY NOTICE: This e-mail and any attachments are confidential and may be privileged. "
        "If you are not the intended recipient, please notify the sender immediately and delete it."
    )
    plain_footer = footer.removeprefix("CONFIDENTIALITY NOTICE: ")
    assert clean_email(f"{PROBLEM}\n\n{footer}") == PROBLEM
    assert clean_email(f"{PROBLEM}\n\n{plain_footer}") == PROBLEM


def test_a_customer_paragraph_about_attachments_is_not_a_footer():
    text = f"{PROBLEM}\n\nI got an e-mail with a virus in its attachments, was that from you?"
    assert clean_email(text) == text


def test_app_logs_and_stack_traces_go():
    text = (
        f"{PROBLEM}\n\nHere is the log:\n"
        "2025-11-01T09:11:01Z WARN http POST /v2/events 429 retry_after=2 request_id=00011668\n"
        "[12:01:33] ERROR payment declined code=E1234\n"
        "Traceback (most recent call last):\n"
        '  File "app.py", line 12, in pay\n'
        "ValueError: card declined\n"
        "java.lang.IllegalStateException: declined\n"
        "    at com.acme.pay.Card.charge(Card.java:42)\n"
        "Caused by: java.io.IOException: timeout\n"
        "    ... 12 more\n\n"
        f"{ASK}"
    )
    assert clean_email(text) == f"{PROBLEM}\n\nHere is the log:\n\n{ASK}"


def test_a_greeting_line_goes_but_a_sentence_starting_with_hi_stays():
    assert clean_email(f"Hello Acme team,\n{PROBLEM}") == PROBLEM
    assert clean_email("Hi, my card was declined. Please help.") == "Hi, my card was declined. Please help."


@pytest.mark.parametrize(
    "text",
    [
        "I am still waiting on my card.",
        "Thanks, but the card still does not work",  # a sign-off only when it is the whole line
        "How do I top up my account?\n- with a card\n- with a transfer",
        "What is the fee for > 1000 euros?",
    ],
)
def test_text_without_boilerplate_is_unchanged(text):
    assert clean_email(text) == text


def test_an_e_mail_that_is_all_quote_is_kept_as_sent():
    text = "> Thank you for contacting Acme Support."
    assert clean_email(text) == text


def test_an_english_line_of_two_sign_offs_is_a_sign_off():
    assert clean_email(f"{PROBLEM}\n\nThanks and regards,\nAnna Berg\nContoso GmbH") == PROBLEM


def test_a_company_line_ending_in_ltd_is_part_of_the_signature():
    text = f"{PROBLEM}\n\nBest regards,\nKevin Zhou\nShenzhen Bluewave Electronics Co., Ltd."
    assert clean_email(text) == PROBLEM


def test_a_sign_off_with_the_name_after_a_comma_goes():
    assert clean_email(f"{PROBLEM}\n\nThanks, Anna") == PROBLEM
    assert clean_email(f"{PROBLEM}\n\nCordialement, Marie Dupont\n06 12 34 56 78") == PROBLEM


def test_a_greeting_line_is_one_that_ends_in_punctuation_or_is_short():
    assert clean_email(f"Good morning Acme team\n{PROBLEM}") == PROBLEM
    assert clean_email(f"Hi there, my card was declined\n{ASK}") == f"Hi there, my card was declined\n{ASK}"


def test_the_cleaning_version_changed_with_the_rules():
    assert EMAIL_CLEANING_VERSION == 2


# French. French typography puts a no-break space (U+00A0) or a narrow one (U+202F) before : ! ? ;
# Gmail, Outlook and Apple Mail write their headers so.

NBSP = "\u00a0"
NNBSP = "\u202f"

FR_CARD = (
    "Ma carte a été refusée deux fois hier au supermarché alors que mon compte est approvisionné. "
    f"Pouvez-vous vérifier ce qui bloque{NBSP}?"
)
FR_LOGIN = (
    "Depuis la mise à jour de l'application le 2 novembre, je ne peux plus me connecter : le code reçu par SMS "
    "est refusé à chaque fois.\nJ'ai déjà réinstallé l'application et redémarré mon téléphone."
)
FR_REFUND = (
    "Je n'ai toujours pas reçu le remboursement de ma commande n° 48213, annulée le 20 octobre. "
    "Le montant de 89,90 € apparaît encore comme débité sur mon relevé."
)
FR_TRANSFER = (
    "Le virement de 1 200 € que j'ai fait vendredi vers le compte de mon fils n'est jamais arrivé. "
    f"Pouvez-vous me dire où il est bloqué et quand il sera crédité{NNBSP}?"
)
FR_LOST = (
    "J'ai perdu mon téléphone ce matin et ma carte est enregistrée dans Apple Pay.\n"
    "Pouvez-vous bloquer la carte tout de suite et m'en envoyer une nouvelle à mon adresse habituelle ?"
)
FR_DOUBLE = (
    "Le prélèvement de mon abonnement a été effectué deux fois ce mois-ci (2 × 14,99 € le 1er novembre). "
    "Je souhaite être remboursé du doublon."
)
FR_PARCEL = (
    "Il s'agit de la commande 55120 passée le 28 octobre.\n\n"
    "Oui, mais le suivi est bloqué depuis six jours au centre de tri de Rungis et le vendeur ne répond plus."
)
FR_IBAN = (
    f"Je n'arrive pas à ajouter mon nouveau RIB dans mon espace client{NBSP}: le bouton «{NBSP}Valider{NBSP}» "
    "reste grisé. J'ai essayé sur Chrome et sur Firefox, sans succès."
)
FR_LIMIT = (
    "Je dois payer un acompte de 4 500 € pour des travaux la semaine prochaine, mais mon plafond de paiement "
    "est de 3 000 €. Est-il possible de le relever temporairement, et pour combien de temps ?"
)
FR_FOOTER = (
    "Ce message et toutes les pièces jointes sont confidentiels et établis à l'intention exclusive de ses "
    "destinataires. Toute utilisation ou diffusion non autorisée est interdite. Si vous avez reçu ce message "
    "par erreur, merci de le détruire et d'en avertir immédiatement l'expéditeur."
)

FRENCH_MAILS = {
    "gmail": (
        f"Bonjour,\n\n{FR_CARD}\n\nCordialement,\nMarie Dupont\n06 12 34 56 78\n\n"
        f"Le lun. 3 nov. 2025 à 10:12, Support Acme <support@acme.com> a écrit{NBSP}:\n"
        "> Bonjour Madame Dupont,\n>\n"
        "> Merci de nous avoir contactés. Pourriez-vous nous envoyer une capture d'écran du message d'erreur ?\n>\n"
        "> Bien cordialement,\n> L'équipe Acme\n",
        FR_CARD,
    ),
    "outlook": (
        f"Madame, Monsieur,\n\n{FR_LOGIN}\n\n"
        "Je vous prie d'agréer, Madame, Monsieur, l'expression de mes salutations distinguées.\n\n"
        "Jean-Pierre Martin\nResponsable administratif et financier\n"
        "Boulangerie Martin SARL | 12 rue des Lilas, 69003 Lyon\n"
        f"Tél.{NBSP}: 04 78 12 34 56 | www.boulangerie-martin.fr\n\n"
        "________________________________\n"
        f"De{NBSP}: Support Acme <support@acme.com>\n"
        f"Envoyé{NBSP}: lundi 3 novembre 2025 10:12\n"
        f"À{NBSP}: Jean-Pierre Martin <jp.martin@boulangerie-martin.fr>\n"
        f"Objet{NBSP}: RE: Connexion impossible\n\n"
        "Bonjour Monsieur Martin,\n\nNous avons bien reçu votre demande et revenons vers vous rapidement.\n\n"
        "Cordialement,\nLe service client Acme",
        FR_LOGIN,
    ),
    "zimbra_orange": (
        f"Bonsoir,\n\n{FR_REFUND}\n\nBien à vous,\nSophie Bernard\n07 98 76 54 32\n\n"
        "Envoyé depuis l'application Mail Orange\n\n"
        "----- Mail original -----\n"
        'De: "Service client Acme" <support@acme.com>\n'
        'À: "Sophie Bernard" <sophie.bernard@orange.fr>\n'
        "Envoyé: Lundi 3 Novembre 2025 10:12:45\n"
        "Objet: Re: Remboursement commande 48213\n\n"
        "Bonjour,\nLe remboursement a été initié et apparaîtra sous 5 à 7 jours ouvrés.\nCordialement",
        FR_REFUND,
    ),
    "thunderbird_with_footer": (
        f"Bonjour,\n\n{FR_TRANSFER}\n\nMerci d'avance pour votre aide.\nBien cordialement,\n\n"
        "-- \nLuc Moreau\nComptable – Cabinet Moreau & Associés\n+33 1 42 68 53 00\n\n"
        f"{FR_FOOTER}\n\n"
        "Le 03/11/2025 à 10:12, Support Acme a écrit :\n"
        "> Bonjour,\n> Pouvez-vous nous indiquer la date du virement ?\n> Cordialement,\n> Support Acme\n",
        FR_TRANSFER,
    ),
    "iphone": (
        f"Cher service client,\n{FR_LOST}\n\nMerci beaucoup{NNBSP}!\nCamille\n\nEnvoyé de mon iPhone\n\n"
        f"Le 3 nov. 2025 à 10:12, Acme <support@acme.com> a écrit{NNBSP}:\n\n"
        "> Bonjour Camille,\n> Votre nouvelle carte a bien été expédiée.\n",
        FR_LOST,
    ),
    "samsung_message_d_origine": (
        f"Salut,\n\n{FR_DOUBLE}\n\nMerci et bonne journée\nThomas Petit\nTél : 06 55 44 33 22\n\n\n"
        "-------- Message d'origine --------\n"
        "De : Acme <no-reply@acme.com>\n"
        "Date : 01/11/2025 08:00 (GMT+01:00)\n"
        "À : thomas.petit@free.fr\n"
        "Objet : Votre facture Acme de novembre\n\n"
        "Bonjour Thomas, votre facture de novembre est disponible dans votre espace client.\n",
        FR_DOUBLE,
    ),
    "inline_reply_with_notice": (
        "Bonjour,\n\n"
        f"Le ven. 31 oct. 2025 à 17:40, Support Acme <support@acme.com> a écrit{NBSP}:\n"
        "> Pouvez-vous nous préciser le numéro de la commande concernée ?\n\n"
        "Il s'agit de la commande 55120 passée le 28 octobre.\n\n"
        "> Le colis indique-t-il un numéro de suivi ?\n\n"
        "Oui, mais le suivi est bloqué depuis six jours au centre de tri de Rungis et le vendeur ne répond plus.\n\n"
        "Salutations distinguées,\nNathalie Roux\nDirectrice des achats\nRoux Distribution SAS\n"
        f"45 avenue de la République, 75011 Paris\nTél.{NBSP}: +33 1 44 55 66 77\n\n"
        f"AVIS DE CONFIDENTIALITÉ{NBSP}: Ce courriel et ses pièces jointes sont destinés exclusivement à leurs "
        "destinataires et peuvent contenir des informations confidentielles.",
        FR_PARCEL,
    ),
    "gmail_header_over_two_lines": (
        f"Bonjour à toute l'équipe,\n\n{FR_IBAN}\n\nDans l'attente de votre retour,\nBonne journée,\n\n"
        "Élodie Garnier\nGarnier Conseil – Expertise comptable\n01 23 45 67 89\n\n"
        "Le mer. 29 oct. 2025 à 09:05, Acme Support <\n"
        f"support@acme.com> a écrit{NBSP}:\n\n"
        "> Bonjour,\n> Vous pouvez modifier votre RIB depuis la rubrique Paramètres.\n",
        FR_IBAN,
    ),
    "formal_letter_wrapped_formula": (
        f"Chère Madame,\n\n{FR_LIMIT}\n\n"
        "En vous remerciant par avance de votre aide, je vous prie de recevoir, Madame, l'expression de mes\n"
        "salutations distinguées.\n\n"
        "Paul Lefèvre\nLefèvre Rénovation EURL\nwww.lefevre-renovation.fr\n\n"
        "----- Mail original -----\n"
        "De: Acme <conseiller@acme.com>\n"
        "À: Paul Lefèvre\n"
        "Envoyé: Vendredi 31 Octobre 2025 16:02:10\n"
        "Objet: Votre demande",
        FR_LIMIT,
    ),
}


@pytest.mark.parametrize("name", list(FRENCH_MAILS))
def test_french_mails_keep_the_problem_only(name):
    text, problem = FRENCH_MAILS[name]
    assert clean_email(text) == problem


@pytest.mark.parametrize(
    "line",
    [
        "Cordialement,",
        "Bien cordialement",
        "Bien à vous.",
        f"Merci d'avance{NBSP}!",
        "Merci par avance pour votre retour.",
        "Merci beaucoup",
        "Salutations distinguées",
        "Je vous prie d'agréer, Madame, Monsieur, l'expression de mes salutations distinguées.",
        "Veuillez agréer mes sincères salutations.",
        "Belle journée",
        f"Bonne journée à vous{NNBSP}!",
        "Merci, bonne soirée,",
        "En vous remerciant,",
        "Dans l'attente de votre réponse,",
        "Merci de votre retour.",
        "Cdlt",
        "Cordialement, Marie",
    ],
)
def test_french_sign_offs(line):
    assert clean_email(f"{FR_CARD}\n\n{line}\nMarie Dupont") == FR_CARD


@pytest.mark.parametrize(
    "greeting", ["Bonjour,", f"Bonjour{NBSP}!", "Bonsoir Madame,", "Madame, Monsieur,", "Cher Monsieur Dupont,",
                 "Chère équipe Acme,", "Salut !", "Bonjour Madame Leroy", "Messieurs,"],
)  # fmt: skip
def test_french_greetings(greeting):
    assert clean_email(f"{greeting}\n{FR_CARD}") == FR_CARD


@pytest.mark.parametrize(
    "text",
    [
        "Merci, mais ma carte est toujours refusée.",
        "Merci pour votre réponse, mais le problème persiste depuis hier.",
        "Merci de bloquer ma carte au plus vite.",
        "Bonjour, ma carte est bloquée depuis hier.",
        "Monsieur Dupont m'a dit que ma carte était bloquée",
        "Cordialement ne suffit pas, je veux une vraie réponse.",
        f"J'ai vu un paiement non autorisé{NBSP}; le destinataire m'est inconnu et je voudrais supprimer la carte.",
        f"Le conseiller a écrit{NBSP}:\nvotre dossier est clos. Pourquoi{NBSP}?",
        f"Objet{NBSP}: carte bloquée\nMa carte est bloquée depuis lundi.",
    ],
)
def test_french_content_is_kept(text):
    assert clean_email(text) == text


# Chinese: no spaces between words and full-width punctuation, so sign-offs are whole lines and prose is
# counted in characters.

ZH_CARD = "我昨天在超市用银行卡付款，连续两次被拒绝，但是我的账户里余额是足够的。请帮我查一下是什么原因。"
ZH_CERT = (
    "我们公司的企业账户从11月1日起无法登录网银，提示“证书已过期”。我们已经按照官网的说明重新下载了证书，但问题依旧。\n"
    "请问需要提供哪些材料才能重新申请证书？"
)
ZH_BIND = "我在App里绑定新的信用卡时，一直提示“验证失败，请稍后重试”，已经试了三天了。卡是招商银行的Visa卡，尾号4821。"
ZH_FROZEN = "我的账户昨晚突然被冻结了，登录时提示“账户存在异常交易”。但我最近没有任何异常操作，工资明天就要到账，请尽快帮我解冻。"
ZH_CHARGE = "上个月的账单里有一笔 ¥299 的扣款，我并没有订阅过任何会员服务。麻烦帮我查一下这笔扣款的来源，并办理退款。"
ZH_INVOICE = (
    "我们上周提交的发票抬头修改申请（工单号 TK-20251028-0173）到现在还没有处理，财务月底要结账，比较着急。\n\n"
    "另外，请问修改后的电子发票会重新发送到原来的邮箱吗？"
)
ZH_CRASH = "转账的时候App一直闪退，下面是导出的日志：\n\n手机型号是小米13，系统版本是Android 14，App版本是4.12.1。"
ZH_WITHDRAW = "我在11月1日申请的提现到现在还没有到账，状态一直显示“处理中”。提现金额是5,000元，到账银行是工商银行。"
ZH_FOOTER = (
    "本邮件及其附件含有保密信息，仅限于发送给上面地址中列出的个人或群组。禁止任何其他人以任何形式使用（包括但不限于"
    "全部或部分地泄露、复制、或散发）本邮件中的信息。如果您错误收到本邮件，请您立即电话或邮件通知发件人并删除本邮件！"
)

CHINESE_MAILS = {
    "qq_foxmail": (
        f"您好！\n\n{ZH_CARD}\n\n谢谢！\n张伟\n手机：138 0013 8000\n北京星辰科技有限公司\n\n"
        f"------------------{NBSP}原始邮件{NBSP}------------------\n"
        f'发件人:{NBSP}"Acme Support"<support@acme.com>;\n'
        f"发送时间:{NBSP}2025年11月3日(星期一) 上午10:12\n"
        f'收件人:{NBSP}"张伟"<zhangwei@qq.com>;\n\n'
        f"主题:{NBSP}回复：银行卡付款失败\n\n"
        "您好，感谢您联系Acme客服。请您提供一下付款失败时的截图，以便我们进一步核实。\n",
        ZH_CARD,
    ),
    "outlook_with_footer": (
        f"尊敬的客服：\n您好！\n{ZH_CERT}\n\n此致\n敬礼！\n\n"
        "李娜\n财务部 | 上海华瑞贸易有限公司\n电话：021-6888 1234\n地址：上海市浦东新区世纪大道100号\n\n"
        f"{ZH_FOOTER}\n\n"
        "________________________________\n"
        "发件人: Acme Support <support@acme.com>\n"
        "发送时间: 2025年11月3日 10:12\n"
        "收件人: 李娜 <lina@huarui-trade.cn>\n"
        "主题: 回复: 网银证书过期\n\n"
        "您好，请问您使用的是哪种类型的证书？\n",
        ZH_CERT,
    ),
    "gmail": (
        f"你好，\n\n{ZH_BIND}\n\n祝好\n王磊\n\n发自我的iPhone\n\n"
        "Acme Support <support@acme.com> 于2025年11月3日周一 10:12写道：\n\n"
        "> 您好，请问您绑定的是哪家银行的卡？\n> Acme客服团队\n",
        ZH_BIND,
    ),
    "netease_163": (
        f"亲爱的Acme客服：\n\n{ZH_FROZEN}\n\n期待您的回复，谢谢！\n\n陈静\n139 1234 5678\n\n来自网易邮箱大师\n\n"
        '在 2025-11-02 21:30:15，"Acme Support" <support@acme.com> 写道：\n'
        "> 您好，我们已收到您的反馈，会在24小时内回复您。\n",
        ZH_FROZEN,
    ),
    "apple_mail_unquoted_history": (
        f"各位好，\n\n{ZH_CHARGE}\n\n多谢\n刘洋\n深圳市前海云帆网络科技有限公司 产品经理\n\n发自我的华为手机\n\n"
        "在 2025年11月3日，10:12，Acme Support <support@acme.com> 写道：\n\n"
        "您好，我们已经将您的问题转交给账单部门，请耐心等待。\n",
        ZH_CHARGE,
    ),
    "foxmail_full_width_headers_and_ps": (
        "Acme客服您好：\n\n"
        + ZH_INVOICE.replace(
            "\n\n另外", "\n\n顺祝商祺！\n赵敏\n杭州启明信息技术有限公司 行政部\n电话：0571-8765 4321\n\n另外"
        )
        + "\n\n发件人：Acme Support <support@acme.com>\n"
        "发送时间：2025-10-29 09:15\n"
        "收件人：赵敏 <zhaomin@qiming-it.com>\n"
        "主题：Re: 发票抬头修改\n\n"
        "您好，您的申请已经收到，我们会在3个工作日内处理。\n",
        ZH_INVOICE,
    ),
    "log_and_outlook_original": (
        "您好，\n\n转账的时候App一直闪退，下面是导出的日志：\n"
        "2025-11-03 09:41:07 ERROR payment.transfer failed code=E5012 request_id=7f3a9c21\n"
        "2025-11-03 09:41:07 FATAL app.crash signal=SIGSEGV thread=main\n\n"
        "手机型号是小米13，系统版本是Android 14，App版本是4.12.1。\n\n"
        "谢谢您的帮助！\n此致 敬礼\n孙浩\n\n"
        "-----原始邮件-----\n"
        "发件人: Acme Support [mailto:support@acme.com]\n"
        "发送时间: 2025年11月1日 星期六 14:20\n"
        "收件人: sunhao@example.cn\n"
        "主题: 答复: App闪退\n\n"
        "您好，请把App的日志发给我们。",
        ZH_CRASH,
    ),
    "english_client_mixed": (
        f"Hi 客服，\n\n{ZH_WITHDRAW}\n\n"
        "Best regards,\nKevin Zhou 周凯\nMobile: +86 139 0000 1234\nShenzhen Bluewave Electronics Co., Ltd.\n\n"
        "在 2025年11月2日，下午3:20，Acme Support <support@acme.com> 写道：\n\n"
        "> 您好，提现通常会在1-3个工作日内到账。\n",
        ZH_WITHDRAW,
    ),
}


@pytest.mark.parametrize("name", list(CHINESE_MAILS))
def test_chinese_mails_keep_the_problem_only(name):
    text, problem = CHINESE_MAILS[name]
    assert clean_email(text) == problem


@pytest.mark.parametrize(
    "line",
    ["谢谢", "谢谢！", "多谢！", "非常感谢！", "谢谢您的帮助。", "此致 敬礼", "此致敬礼！", "祝好！", "顺祝商祺",
     "顺颂时祺！", "祝工作顺利！", "期待您的回复", "期待您的回复，谢谢！", "麻烦您了，谢谢！"],
)  # fmt: skip
def test_chinese_sign_offs(line):
    assert clean_email(f"{ZH_CARD}\n\n{line}\n张伟") == ZH_CARD


@pytest.mark.parametrize(
    "greeting", ["您好！", "你好，", "您好：", "尊敬的客服：", "尊敬的Acme客服团队", "亲爱的客服小姐姐～", "各位好，",
                 "大家好！", "客服，您好！", "王经理："],
)  # fmt: skip
def test_chinese_greetings(greeting):
    assert clean_email(f"{greeting}\n{ZH_CARD}") == ZH_CARD


@pytest.mark.parametrize(
    "text",
    [
        "谢谢你们，但是我的卡还是被拒绝了。",
        "谢谢您的回复，我按照您说的重新绑定了，还是不行。",
        "麻烦尽快处理，谢谢！",
        "您好，我的卡被冻结了，请帮忙看一下。",
        "此致敬礼这几个字在回复里是什么意思？",
        "我删除了附件里的照片，然后又发了一次，还是提示文件太大。",
        "客服在上一封邮件里写道：\n请提供截图。我已经提供了，为什么还没有处理？",
        "订单号：20251103-8841\n金额：299元\n扣款时间：11月3日",
    ],
)
def test_chinese_content_is_kept(text):
    assert clean_email(text) == text


def test_a_chinese_sign_off_keeps_a_following_sentence():
    text = f"{ZH_CARD}\n\n谢谢！\n张伟\n\n另外，我的信用卡昨天也出现了同样的问题。"
    assert clean_email(text) == f"{ZH_CARD}\n\n另外，我的信用卡昨天也出现了同样的问题。"


@pytest.mark.parametrize("text", ["谢谢！", "Cordialement,\nMarie", "您好！\n\n> 请提供截图。"])
def test_a_mail_that_is_all_boilerplate_is_kept_as_sent(text):
    assert clean_email(text) == text


@pytest.mark.parametrize(
    ("line", "problem"),
    [("Envoyé de mon iPhone", FR_CARD), ("Pensez à l'environnement avant d'imprimer ce message.", FR_CARD), ("Envoyé depuis mon appareil Galaxy", FR_CARD),
     ("Obtenir Outlook pour Android", FR_CARD), ("发自我的iPhone", ZH_CARD), ("发自我的华为手机", ZH_CARD),
     ("来自网易邮箱大师", ZH_CARD), ("从我的 iPad 发送", ZH_CARD), ("——来自QQ邮箱", ZH_CARD)],
)  # fmt: skip
def test_sent_from_my_phone_lines_go(line, problem):
    assert clean_email(f"{problem}\n\n{line}") == problem


@pytest.mark.parametrize(
    "history",
    [
        "-----邮件原件-----\n发件人: Acme Support\n发送时间: 2025年11月3日 10:12\n收件人: 张伟\n主题: 答复: 付款失败",
        "发件人：Acme Support\n发送时间：2025-11-03 10:12\n收件人：张伟\n主　题：回复：付款失败",  # Alimail
        "发件人：Acme Support\n时间：2025年11月3日(星期一) 上午10:12\n收件人：张伟\n主题：回复：付款失败",
        "------------------ Original ------------------\nFrom: Acme Support\nDate: Mon, Nov 3, 2025 10:12 AM\n"
        "To: 张伟\nSubject: Re: 付款失败",
    ],
)
def test_chinese_client_histories_are_cut(history):
    assert clean_email(f"{ZH_CARD}\n\n{history}\n\n您好，请提供截图。") == ZH_CARD
