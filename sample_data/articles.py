"""Help-center articles for the bundled sample help desk.

Original text written for this project (not copied from any source). There is
at least one article for each of the 77 Banking77 intents; ``intent`` holds the
Banking77 category the article answers. ``sample_data/build.py`` turns these
into Zendesk ``articles`` stream records.

Each entry: ``intent``, ``title`` and ``body_html`` (80-200 words of HTML).
The bank is a fictional app-based bank ("Acme").
"""

from __future__ import annotations

ARTICLES: list[dict] = [
    # ------------------------------------------------------------------ Cards
    {
        "intent": "card_arrival",
        "title": "Where is my new card? It hasn't arrived yet",
        "body_html": (
            "<h2>Your card is on its way</h2>"
            "<p>Once you order a card, we post it to the address on your account. If your new card "
            "still hasn't arrived in the mail, it is usually just held up by the postal service.</p>"
            "<h2>Track your card</h2>"
            "<ul>"
            "<li>Open the app, tap <strong>Cards</strong> and then <strong>Track delivery</strong> to see "
            "the status of your card and the date it was sent.</li>"
            "<li>Cards sent by express delivery have a courier tracking number in the app.</li>"
            "<li>Check that your delivery address is correct and complete, including the flat number.</li>"
            "</ul>"
            "<h2>Still haven't received your card?</h2>"
            "<p>If you ordered your card more than 10 working days ago and it still isn't here, tap "
            "<strong>My card hasn't arrived</strong> on the tracking screen. We will cancel the missing "
            "card so nobody else can use it and send you a replacement free of charge. You can keep "
            "paying with your virtual card while you wait.</p>"
        ),
    },
    {
        "intent": "card_delivery_estimate",
        "title": "How long does card delivery take?",
        "body_html": (
            "<h2>Estimated delivery times</h2>"
            "<p>How long it takes for your card to be delivered depends on the country we send it to. "
            "After you place the order, expect standard delivery within:</p>"
            "<ul>"
            "<li>United Kingdom: 2 to 4 working days</li>"
            "<li>European Economic Area: 5 to 7 working days</li>"
            "<li>United States and the rest of the world: up to 10 working days</li>"
            "</ul>"
            "<h2>Need your card ASAP? Choose express delivery</h2>"
            "<p>If you need the card as soon as possible, pick express delivery when you order. "
            "Express cards are dispatched by courier the next working day and usually arrive within "
            "1 to 3 working days, including express delivery to the US. The express fee is shown "
            "before you confirm.</p>"
            "<h2>Can I choose the delivery date?</h2>"
            "<p>We can't dispatch cards on a specific date yet, so delivery days aren't flexible. The "
            "courier emails you an expected delivery window, and you can rearrange the day with them "
            "directly.</p>"
        ),
    },
    {
        "intent": "card_linking",
        "title": "How do I link a card to the app, or reactivate a card I found?",
        "body_html": (
            "<h2>Link your new card to your account</h2>"
            "<p>When you receive a card, link it so it shows up in the app and you can manage it:</p>"
            "<ul>"
            "<li>Open the app and go to <strong>Cards</strong>.</li>"
            "<li>Tap <strong>Link a card</strong> and enter the 16-digit number and expiry date printed "
            "on the card.</li>"
            "<li>Confirm with your passcode. The card now appears in the app next to your other cards.</li>"
            "</ul>"
            "<h2>Found the card you thought was lost?</h2>"
            "<p>If you find a card you lost, for example in a jacket pocket, you can put it back in the "
            "app and use it again only if you had frozen it: select the card and tap "
            "<strong>Unfreeze</strong> to reactivate it. A card you reported as lost or stolen is cancelled "
            "for good and cannot be reactivated. In that case, cut up the old card and link the "
            "replacement card we sent you.</p>"
        ),
    },
    {
        "intent": "activate_my_card",
        "title": "How do I activate my new card?",
        "body_html": (
            "<h2>Activating your card</h2>"
            "<p>For your security, your new card arrives switched off. Activation takes less than a "
            "minute in the app:</p>"
            "<ul>"
            "<li>Open the app and tap the <strong>Activate your card</strong> banner, or go to "
            "Cards &gt; Activate card.</li>"
            "<li>Enter the 6-digit activation code printed on the letter that came with your card, or "
            "scan the QR code.</li>"
            "<li>Your card is activated straight away and ready to use.</li>"
            "</ul>"
            "<h2>Your first payment</h2>"
            "<p>After activation, make your first purchase or cash withdrawal with chip and PIN. "
            "Contactless payments work after that first PIN transaction.</p>"
            "<h2>Activation didn't work?</h2>"
            "<p>Make sure you are activating your newest card and that your app is up to date. If the "
            "activation process still fails, message us from the app and we'll activate the card for "
            "you.</p>"
        ),
    },
    {
        "intent": "order_physical_card",
        "title": "How do I order a physical card? Where do you deliver?",
        "body_html": (
            "<h2>Order a real card</h2>"
            "<p>When you sign up you can start paying with a virtual card straight away. If you'd like an actual plastic card to keep in your wallet, you can order a card in the app:</p>"
            "<ul>"
            "<li>Go to <strong>Cards</strong> and tap <strong>Order physical card</strong>.</li>"
            "<li>Confirm the delivery address. We deliver cards to every country where we operate: the UK and the European Economic Area.</li>"
            "<li>Choose standard or express shipping and place the order.</li>"
            "</ul>"
            "<h2>How much does a physical card cost?</h2>"
            "<p>Your first physical card is free on every plan and standard delivery is included; only express shipping costs extra. You don't need to add money before you order. Once your card arrives, activate it in the app and it's ready to use.</p>"
        ),
    },
    {
        "intent": "get_physical_card",
        "title": "Where do I find the PIN for my card?",
        "body_html": (
            "<h2>Your PIN is in the app, not in the post</h2>"
            "<p>We don't send your PIN by mail, so you won't receive it in a separate letter. Once your "
            "physical card has been ordered, you can view the card PIN in the app at any time:</p>"
            "<ul>"
            "<li>Open the app and go to <strong>Cards</strong>.</li>"
            "<li>Select your physical card and tap <strong>Show PIN</strong>.</li>"
            "<li>Confirm with your passcode or fingerprint to reveal the 4-digit PIN number.</li>"
            "</ul>"
            "<h2>Is my PIN the same as my passcode?</h2>"
            "<p>No. Your passcode unlocks the app, while your card PIN is used at ATMs and for chip and "
            "PIN payments. If you can't locate the PIN, check that your physical card was ordered "
            "and activated and that your app is up to date.</p>"
        ),
    },
    {
        "intent": "getting_spare_card",
        "title": "Can I get an extra or spare card?",
        "body_html": (
            "<h2>Ordering additional cards</h2>"
            "<p>You can have more than one card on your account, for example a spare card for "
            "travelling or a second card for your partner or daughter. Every card spends from the same "
            "account balance.</p>"
            "<ul>"
            "<li>Go to <strong>Cards</strong> and tap <strong>Order another card</strong>.</li>"
            "<li>Choose who the card is for and where to send it.</li>"
            "<li>You can hold up to three physical cards at the same time.</li>"
            "</ul>"
            "<h2>Is there a charge for more cards?</h2>"
            "<p>Your first card is free. Each additional card costs &pound;5 (or the equivalent in your "
            "currency) to cover making and sending out the card. Premium and Metal plans include one "
            "extra card at no charge. The fee is shown before you confirm the order.</p>"
        ),
    },
    {
        "intent": "card_about_to_expire",
        "title": "My card is about to expire. How do I get a new one?",
        "body_html": (
            "<h2>Replacing a card that's expiring</h2>"
            "<p>The expiry date is printed on your card and shown in the app. About a month before your "
            "card expires, we automatically send a new card to the address on your account, free of "
            "charge.</p>"
            "<ul>"
            "<li>If the new card hasn't arrived, order it yourself: Cards &gt; Replace expiring card.</li>"
            "<li>Living or travelling abroad, for example in China? Update your address first; we can "
            "send replacement cards to most countries.</li>"
            "<li>Your old card keeps working until the end of the month shown on it.</li>"
            "</ul>"
            "<h2>After your card expires</h2>"
            "<p>An expired card can no longer be used. Activate the new card as soon as you receive it and "
            "update your card details with subscriptions and online shops.</p>"
        ),
    },
    {
        "intent": "visa_or_mastercard",
        "title": "Is my card a Visa or a Mastercard?",
        "body_html": (
            "<h2>Visa or Mastercard?</h2>"
            "<p>Our debit cards are issued on the Mastercard network in most countries, and on Visa in a few others. You can see which one you have from the logo on the card or in the app under Cards &gt; Card details.</p>"
            "<ul>"
            "<li>You can't choose between Visa and Mastercard when you apply; the network is assigned automatically based on your country.</li>"
            "<li>It isn't possible to hold both a Visa and a Mastercard on one account at the moment.</li>"
            "<li>Every card you order on your account, including spare and virtual cards, uses the same network.</li>"
            "</ul>"
            "<p>If you prefer Mastercard over Visa, or the other way round, tell us in the app chat. We collect this feedback for future card launches.</p>"
        ),
    },
    {
        "intent": "card_acceptance",
        "title": "Where is my card accepted? Can I use it anywhere?",
        "body_html": (
            "<h2>Where can I use my card?</h2>"
            "<p>Your card is accepted anywhere that takes the card network shown on it (Mastercard or Visa). That covers millions of shops, restaurants, websites and other businesses, at home and overseas when you're on vacation.</p>"
            "<ul>"
            "<li>In stores: look for the Mastercard or Visa logo at the till.</li>"
            "<li>Online: pay on any website that takes debit cards.</li>"
            "<li>Subscriptions and bills: most merchants accept the card for recurring payments.</li>"
            "</ul>"
            "<h2>Is there anywhere I can't use my card?</h2>"
            "<p>A few merchants may not accept your card: some car rental companies and hotels ask for a credit card deposit, and certain businesses don't take debit cards at all. Each merchant decides which cards it accepts. If a business doesn't accept your card, pay with Apple Pay or Google Pay instead.</p>"
        ),
    },
    {
        "intent": "card_not_working",
        "title": "My card is not working",
        "body_html": (
            "<h2>Card stopped working or broken?</h2>"
            "<p>If your card was working before but now it doesn't work at all, there are a few common causes:</p>"
            "<ul>"
            "<li>The card is damaged or broken, for example a cracked chip or a bent card.</li>"
            "<li>The card was frozen or deactivated. Check its status under Cards and unfreeze it.</li>"
            "<li>The card has expired or hasn't been activated yet.</li>"
            "<li>We have asked you for information and your account is restricted until you reply.</li>"
            "</ul>"
            "<h2>How to get a working card</h2>"
            "<p>Open the app first: any block on your card is shown there. If the card itself is broken or non-functional, order a replacement under Cards &gt; Report a problem &gt; My card is damaged. Until the new card arrives, use your virtual card or Apple Pay and Google Pay.</p>"
        ),
    },
    {
        "intent": "contactless_not_working",
        "title": "Contactless payments aren't working",
        "body_html": (
            "<h2>How to fix contactless</h2>"
            "<p>If tapping your card at a terminal or on the bus didn't work, try these steps:</p>"
            "<ul>"
            "<li>Make one chip and PIN payment first. Contactless is only switched on after the first PIN "
            "transaction on a new card.</li>"
            "<li>Check the amount: payments above the local contactless limit need chip and PIN.</li>"
            "<li>For security, terminals sometimes ask for your PIN after several contactless payments "
            "in a row.</li>"
            "<li>Hold the card flat on the reader for two seconds and keep other cards away.</li>"
            "</ul>"
            "<h2>Contactless still not working?</h2>"
            "<p>If contactless fails everywhere you try, the antenna in the card may be damaged. You can "
            "still pay with chip and PIN, add the card to Apple Pay or Google Pay, or order a replacement "
            "card in the app.</p>"
        ),
    },
    {
        "intent": "getting_virtual_card",
        "title": "How do I get a virtual card?",
        "body_html": (
            "<h2>Ordering a virtual card</h2>"
            "<p>A virtual card lives in the app, so you can pay online straight away without waiting for "
            "a card in the post. To get a virtual card:</p>"
            "<ul>"
            "<li>Open the app and go to <strong>Cards</strong>.</li>"
            "<li>Tap <strong>Add card</strong> and choose <strong>Virtual card</strong>.</li>"
            "<li>The card number, expiry date and CVV appear instantly.</li>"
            "</ul>"
            "<h2>Why haven't I got a virtual card yet?</h2>"
            "<p>Virtual cards become available once your identity is verified and you've made your first "
            "top-up. If you ordered a virtual card but it hasn't come through, check that verification is "
            "complete and update the app. Your first virtual card is free; you can add more virtual cards "
            "for different uses.</p>"
        ),
    },
    {
        "intent": "get_disposable_virtual_card",
        "title": "What is a disposable virtual card and how do I get one?",
        "body_html": (
            "<h2>What are disposable cards?</h2>"
            "<p>A disposable virtual card is a card number for one-time use. After a single payment the "
            "card details are destroyed automatically and a new number is generated, so even if a website "
            "leaks your details, nobody can use them again. They are ideal for buying from shops you "
            "don't know well.</p>"
            "<h2>How to get a disposable virtual card</h2>"
            "<ul>"
            "<li>Go to <strong>Cards</strong> in the app.</li>"
            "<li>Tap <strong>Add card</strong> and select <strong>Disposable virtual card</strong>.</li>"
            "<li>Use the card number, expiry date and CVV shown for your online purchase.</li>"
            "</ul>"
            "<p>Disposable virtual cards are included with Premium and Metal plans. On the Standard plan, "
            "upgrade in the app to start using them.</p>"
        ),
    },
    {
        "intent": "disposable_card_limits",
        "title": "Limits and restrictions on disposable cards",
        "body_html": (
            "<h2>Disposable card limits</h2>"
            "<p>Disposable virtual cards work differently from regular cards, so a few rules apply:</p>"
            "<ul>"
            "<li>Each disposable card can be used for one purchase only; it is then replaced with a new "
            "card number.</li>"
            "<li>You can create up to 20 disposable cards per day.</li>"
            "<li>They can't be used for cash withdrawals, recurring payments or subscriptions.</li>"
            "<li>Hotels, car hire and other places that pre-authorise an amount may not accept them.</li>"
            "<li>Your normal account spending limits still apply to disposable card payments.</li>"
            "</ul>"
            "<p>If you need to pay the same merchant several times, use a regular virtual card instead of "
            "a disposable one.</p>"
        ),
    },
    {
        "intent": "virtual_card_not_working",
        "title": "My virtual card isn't working",
        "body_html": (
            "<h2>Why was my virtual card rejected?</h2>"
            "<p>If a payment with your virtual card or disposable virtual card was rejected, check "
            "the following:</p>"
            "<ul>"
            "<li>A disposable virtual card works for one payment only. Using it again, or for a monthly "
            "subscription such as a gym membership, will be declined.</li>"
            "<li>For recurring payments, use a regular (non-disposable) virtual card.</li>"
            "<li>Make sure you typed the latest card number, expiry date and CVV from the app.</li>"
            "<li>The virtual card may be frozen; check its status under Cards.</li>"
            "</ul>"
            "<h2>Still can't use your virtual card?</h2>"
            "<p>Some merchants don't accept virtual cards. If your virtual card still isn't working, "
            "contact us in the app chat with the merchant name and the time of the payment.</p>"
        ),
    },
    {
        "intent": "apple_pay_or_google_pay",
        "title": "Can I use Apple Pay, Google Pay or my Apple Watch?",
        "body_html": (
            "<h2>Top up with Apple Pay or Google Pay</h2>"
            "<p>Yes. You can top up your account with Apple Pay or Google Pay, including from your Apple Watch. In the app, tap Add money and choose Apple Pay or Google Pay as the top-up method.</p>"
            "<ul>"
            "<li>Apple Pay and Google Pay top-ups are instant.</li>"
            "<li>If your Apple Pay or Google Pay top-up is not working, check that the card saved in your wallet is a Visa or Mastercard. American Express in Apple Pay can't be used for top-ups.</li>"
            "</ul>"
            "<h2>Pay with Apple Pay or Google Pay</h2>"
            "<p>To pay in shops with your phone or Apple Watch, add your card to your wallet: in the app go to Cards, tap Add to Apple Wallet or Add to Google Pay, and follow the steps to set it up.</p>"
        ),
    },
    # --------------------------------------------------------------- Payments
    {
        "intent": "card_payment_fee_charged",
        "title": "Why was I charged a fee for a card payment?",
        "body_html": (
            "<h2>When we charge a fee on card payments</h2>"
            "<p>Most card payments are free, but you may see an extra fee on a payment you made with your "
            "card in these cases:</p>"
            "<ul>"
            "<li>Paying in a foreign currency above your plan's monthly fee-free allowance.</li>"
            "<li>Paying in a foreign currency at the weekend, when a small markup applies.</li>"
            "<li>Card payments to gambling merchants or for buying cryptocurrency.</li>"
            "</ul>"
            "<h2>Check the fee structure</h2>"
            "<p>Tap the card payment in the app to see how much was charged as a fee and why. The full fee "
            "structure for your plan is in Profile &gt; Plan &gt; Fees. A shop can also add its own "
            "surcharge for paying by card, which we don't control. If you think a card payment fee was "
            "charged by mistake, contact us from the transaction screen.</p>"
        ),
    },
    {
        "intent": "card_payment_not_recognised",
        "title": "There's a card payment on my account I didn't make",
        "body_html": (
            "<h2>A payment you don't recognise</h2>"
            "<p>If there's a strange card payment in the app or on your statement that you didn't make, check the merchant details first. Businesses often appear under a different name from the shop you visited, and the charge might be a forgotten subscription or a purchase by a family member.</p>"
            "<h2>Still don't recognise the charge?</h2>"
            "<ul>"
            "<li>Freeze your card straight away in the app under Cards.</li>"
            "<li>Tap the payment and choose <strong>I don't recognise this payment</strong>.</li>"
            "<li>We'll cancel the card, send you a new one and dispute the unauthorised transaction with the merchant.</li>"
            "</ul>"
            "<p>If someone else made purchases with your card, we'll investigate and refund the fraudulent charges you didn't authorise.</p>"
        ),
    },
    {
        "intent": "declined_card_payment",
        "title": "Why was my card payment declined?",
        "body_html": (
            "<h2>Card payment declined at a shop or online?</h2>"
            "<p>If your card payment didn't go through and the store or website said it was declined, one of these is usually the reason:</p>"
            "<ul>"
            "<li>There isn't enough money in your account to cover the payment.</li>"
            "<li>Online or magstripe payments are switched off in your card's security settings.</li>"
            "<li>A wrong PIN, expiry date or CVV was entered.</li>"
            "<li>The payment is above a spending limit you set.</li>"
            "<li>Our fraud checks stopped an unusual payment to protect you.</li>"
            "</ul>"
            "<h2>What to do next</h2>"
            "<p>Tap the declined payment in the app: the reason is shown there. If your payment was declined by mistake, confirm it in the app notification and try again. A declined card payment is never charged, so you won't pay twice when you retry.</p>"
        ),
    },
    {
        "intent": "pending_card_payment",
        "title": "Why is my card payment still pending?",
        "body_html": (
            "<h2>What a pending card payment means</h2>"
            "<p>When you pay by card, the merchant first asks for an authorisation. The amount is reserved "
            "and your purchase shows as pending in the app until the merchant completes the transaction.</p>"
            "<ul>"
            "<li>Most pending card payments go through within 1 to 3 working days.</li>"
            "<li>Hotels, car rentals and petrol stations can take up to 7 days.</li>"
            "<li>If the merchant never completes the payment, it disappears and the money returns to your "
            "balance automatically.</li>"
            "</ul>"
            "<h2>When should I worry?</h2>"
            "<p>If a card payment has been pending for more than 7 days, contact the seller first; only "
            "the merchant can complete or release it. We can't cancel a pending payment on their behalf.</p>"
        ),
    },
    {
        "intent": "reverted_card_payment?",
        "title": "Why was my card payment reverted or cancelled?",
        "body_html": (
            "<h2>Why the money came back to your account</h2>"
            "<p>Sometimes a card payment appears and then the money is returned to your account with the "
            "status Reverted. This means the merchant cancelled the payment instead of completing it.</p>"
            "<ul>"
            "<li>The merchant didn't accept the payment or cancelled it, for example because an item was "
            "out of stock.</li>"
            "<li>Online shops sometimes authorise a payment and revert it to check your card.</li>"
            "<li>If you already received your item, the seller may charge your card again later.</li>"
            "</ul>"
            "<h2>What should I do?</h2>"
            "<p>A reverted card payment means the money was never taken. If the seller says they haven't "
            "received your money, ask them to charge your card again or pay another way. If payments keep "
            "getting reverted when you shop online, contact the merchant.</p>"
        ),
    },
    {
        "intent": "transaction_charged_twice",
        "title": "I was charged twice for the same transaction",
        "body_html": (
            "<h2>Seeing a duplicate charge?</h2>"
            "<p>If one purchase shows up more than once in the app, the merchant usually made two "
            "authorisations for the same payment. Duplicate pending transactions normally drop off "
            "automatically within a few working days and you'll only be charged once.</p>"
            "<h2>If you were really charged twice</h2>"
            "<ul>"
            "<li>Contact the merchant first: they can refund a duplicate payment the quickest.</li>"
            "<li>If they can't help, tap the transaction in the app and choose <strong>I was charged "
            "twice</strong>.</li>"
            "<li>Send us the receipt if you have one, so we can match it to both charges.</li>"
            "<li>We'll dispute the double charge and return the money once it's confirmed.</li>"
            "</ul>"
            "<p>Both charges stay visible in your statement until the duplicate is reversed.</p>"
        ),
    },
    {
        "intent": "request_refund",
        "title": "How do I request a refund for something I bought?",
        "body_html": (
            "<h2>Want your money back for a purchase?</h2>"
            "<p>If you changed your mind about something you bought, want to return an item, or received a faulty or wrong product, you can request a refund from the merchant. Only the seller can refund a completed card payment, so contact them first:</p>"
            "<ul>"
            "<li>Ask the shop or website to cancel the order or accept a return, and request a refund to your card.</li>"
            "<li>Keep your receipt, order number and any messages as proof.</li>"
            "<li>If the purchase is still pending, the merchant can cancel it without a refund being needed.</li>"
            "</ul>"
            "<h2>Not received your order?</h2>"
            "<p>If you paid for something that never arrived or wasn't as described, tap the transaction in the app and choose <strong>Something's wrong with this purchase</strong> to ask us to raise a dispute with the merchant.</p>"
        ),
    },
    {
        "intent": "Refund_not_showing_up",
        "title": "I'm still waiting for my refund. Why isn't it showing up?",
        "body_html": (
            "<h2>Requested a refund but can't see it?</h2>"
            "<p>When a seller refunds you, the money comes back through the card network. A refund normally shows up in your account within 5 working days after the merchant sends it, but some take longer to process it on their side.</p>"
            "<ul>"
            "<li>Check with the seller that the refund has actually been issued and ask for the refund reference.</li>"
            "<li>A refund appears in the app as a new incoming transaction; the original payment stays in your statement.</li>"
            "<li>If the original card was cancelled, the refund still reaches your account.</li>"
            "</ul>"
            "<h2>Seller not responding or refund still missing?</h2>"
            "<p>If the merchant confirmed the refund more than 15 days ago, or promised a refund but won't reply, tap the purchase in the app and choose <strong>My refund hasn't arrived</strong>. We'll chase the missing refund and can raise a dispute to get your money back.</p>"
        ),
    },
    {
        "intent": "extra_charge_on_statement",
        "title": "What is the extra \u00a31 (\u20ac1 or $1) charge on my statement?",
        "body_html": (
            "<h2>The small one pound charge</h2>"
            "<p>Some merchants, such as taxi and ride apps, app stores, hotels and petrol stations, place "
            "a small temporary hold of &pound;1, &euro;1 or $1 to check that your card is valid. This "
            "extra charge shows up on your statement as pending, even if you didn't buy anything for a "
            "pound.</p>"
            "<ul>"
            "<li>You haven't actually been charged; the amount is only reserved.</li>"
            "<li>The pending &pound;1 charge disappears by itself, usually within 7 days.</li>"
            "<li>Tap the charge in the app to see which merchant made it.</li>"
            "</ul>"
            "<h2>If the extra charge doesn't go away</h2>"
            "<p>If the one pound or one euro fee is still on your statement after 7 days, or it changed "
            "from pending to completed, contact us in the app and we'll look into it.</p>"
        ),
    },
    {
        "intent": "direct_debit_payment_not_recognised",
        "title": "There's a direct debit I don't recognise",
        "body_html": (
            "<h2>A direct debit you don't remember</h2>"
            "<p>A direct debit is taken by a company you gave permission to collect payments from your "
            "account, such as a utility, gym or phone provider. If there is a direct debit payment in the "
            "app that you don't recognise:</p>"
            "<ul>"
            "<li>Tap it to see the company name and reference, which may be different from the brand "
            "you know.</li>"
            "<li>Search your emails for a direct debit mandate you set up, even one from months ago.</li>"
            "<li>Cancel the mandate in the app under Payments &gt; Direct debits to stop future payments.</li>"
            "</ul>"
            "<h2>Claim your money back</h2>"
            "<p>If you did not authorise the direct debit, report it from the transaction screen. Under "
            "the Direct Debit Guarantee you are entitled to a full refund of any payment taken in "
            "error.</p>"
        ),
    },
    # -------------------------------------------------------------- Transfers
    {
        "intent": "cancel_transfer",
        "title": "Can I cancel a transfer?",
        "body_html": (
            "<h2>Cancelling a transfer</h2>"
            "<p>If you made a mistake, such as sending money to the wrong account or typing the wrong "
            "amount, you can cancel a transfer while it hasn't gone through yet:</p>"
            "<ul>"
            "<li>Open the app and tap the transaction.</li>"
            "<li>If it shows as Pending or Scheduled, tap <strong>Cancel transfer</strong>.</li>"
            "<li>The money goes back to your balance straight away.</li>"
            "</ul>"
            "<h2>Transfer already completed?</h2>"
            "<p>Once a transfer has been completed we can't cancel or reverse it. Ask the recipient to send "
            "the money back. If you sent a payment to the wrong account number by mistake, tell us in the "
            "app chat as soon as possible: we'll ask the receiving bank to return the funds, although "
            "this isn't guaranteed.</p>"
        ),
    },
    {
        "intent": "beneficiary_not_allowed",
        "title": "Why can't I transfer money to this beneficiary?",
        "body_html": (
            "<h2>Transfer not possible?</h2>"
            "<p>If the app says a transfer to a beneficiary is not possible, or won't let you add a beneficiary, it is usually for one of these reasons:</p>"
            "<ul>"
            "<li>The beneficiary is a cryptocurrency exchange or another business we can't send money to, so buying crypto by transfer isn't allowed.</li>"
            "<li>The beneficiary's details (IBAN, account number, sort code or BIC) are incorrect.</li>"
            "<li>The beneficiary's bank or country doesn't accept transfers from us.</li>"
            "<li>The beneficiary was blocked by our security team after a fraud report.</li>"
            "</ul>"
            "<h2>What you can do</h2>"
            "<p>Delete the beneficiary and add them again with the correct details. If you were able to transfer money to this account before and now you're told it's not allowed, contact us in the app chat.</p>"
        ),
    },
    {
        "intent": "declined_transfer",
        "title": "Why was my transfer declined?",
        "body_html": (
            "<h2>Reasons a transfer is declined</h2>"
            "<p>A transfer gets a Declined status when we reject it before any money leaves your "
            "account. The most common reasons are:</p>"
            "<ul>"
            "<li>Not enough money to cover the transfer and any fee.</li>"
            "<li>The amount is over your daily or monthly transfer limit.</li>"
            "<li>Our security checks flagged the transfer as unusual.</li>"
            "<li>Your account is restricted while we wait for documents from you.</li>"
            "</ul>"
            "<h2>What happens to my money?</h2>"
            "<p>When a transfer is declined, nothing is taken and the amount stays in your balance. Read "
            "the decline message on the transfer in the app, fix the issue and try again. If your "
            "transfers keep getting declined even though the recipient details are correct, contact us "
            "and we'll review your account.</p>"
        ),
    },
    {
        "intent": "failed_transfer",
        "title": "My transfer failed. What happened?",
        "body_html": (
            "<h2>Why a transfer fails</h2>"
            "<p>A transfer can fail after you send it, for example when the receiving bank returns it or "
            "you get an error message while making the transfer. Common causes:</p>"
            "<ul>"
            "<li>The recipient's account is closed or the account details are wrong.</li>"
            "<li>The receiving bank couldn't process the payment, which can happen with large payments "
            "such as a mortgage or deposit for a flat.</li>"
            "<li>A temporary problem in our system when you tried to transfer.</li>"
            "</ul>"
            "<h2>What to do</h2>"
            "<p>When a transfer fails, the money is returned to your account, usually within 2 working "
            "days. Check the recipient's details and try again. If your transfer keeps failing with an "
            "error, update the app and send us a screenshot in the chat.</p>"
        ),
    },
    {
        "intent": "pending_transfer",
        "title": "Why is my transfer still pending?",
        "body_html": (
            "<h2>Transfer showing as pending</h2>"
            "<p>After you send money, the transfer may show as pending while we run security checks and "
            "the payment moves through the banking network.</p>"
            "<ul>"
            "<li>Transfers within the UK and SEPA transfers in euros usually stop being pending within a "
            "few hours.</li>"
            "<li>Some transfers are held for an extra check, which can take up to 2 working days.</li>"
            "<li>Transfers made at weekends or on bank holidays are processed on the next working day.</li>"
            "</ul>"
            "<h2>Pending for a long time?</h2>"
            "<p>If your transfer has been pending for more than 2 working days, check the app for a "
            "message from us: we may need more information before we release the payment. Once it is no "
            "longer pending, the money is on its way to the recipient or seller.</p>"
        ),
    },
    {
        "intent": "transfer_timing",
        "title": "How long do transfers take?",
        "body_html": (
            "<h2>Transfer times</h2>"
            "<p>How long a transfer takes to reach your account depends on where the money is sent from and "
            "the payment network used:</p>"
            "<ul>"
            "<li>UK transfers (Faster Payments): usually within minutes, at most 2 hours.</li>"
            "<li>SEPA transfers in euros from Europe: within 1 working day.</li>"
            "<li>International SWIFT transfers, for example from the US or China: 2 to 5 working days.</li>"
            "</ul>"
            "<h2>What affects the timing?</h2>"
            "<p>Transfers sent after the cut-off time, at weekends or on bank holidays start the next "
            "working day. The sending bank and any intermediary banks can add time to international "
            "transfers. As soon as the transfer arrives you'll get a notification and can use the money "
            "straight away.</p>"
        ),
    },
    {
        "intent": "transfer_not_received_by_recipient",
        "title": "The recipient hasn't received my transfer",
        "body_html": (
            "<h2>Sent money, but the person hasn't received it?</h2>"
            "<p>If you're still waiting for a transfer to be completed, or the person you sent money to, such as your landlord, a friend or a retailer, says it hasn't arrived:</p>"
            "<ul>"
            "<li>Check the recipient's account details on the transfer; one wrong digit can send the money elsewhere.</li>"
            "<li>Transfers within the country usually arrive the same day; transfers abroad can take up to 5 working days to reach the recipient's account.</li>"
            "<li>The recipient's bank may hold incoming payments for its own checks.</li>"
            "</ul>"
            "<h2>Send proof of payment</h2>"
            "<p>Download the payment confirmation from the transfer and share it with the recipient so their bank can find it. If they still can't see the money after 5 working days, contact us and we'll trace the transfer.</p>"
        ),
    },
    {
        "intent": "transfer_fee_charged",
        "title": "Why was I charged a fee for my transfer?",
        "body_html": (
            "<h2>Fee on a transfer you made?</h2>"
            "<p>Sending money in your local currency to another account is usually free. If you were charged a fee for a transfer, it's for one of these reasons:</p>"
            "<ul>"
            "<li>It was an international SWIFT transfer, which carries a fixed fee.</li>"
            "<li>You went over your plan's free monthly transfer allowance, so later transfers that month were charged.</li>"
            "<li>Intermediary or receiving banks took their own charges, so the recipient got slightly less than the amount you sent.</li>"
            "</ul>"
            "<h2>See what you paid</h2>"
            "<p>Tap the transfer in the app to see the fee we charged. If the receiver got less than the full amount and we didn't charge you, the difference was deducted by another bank. If you think a transfer fee was charged by mistake, contact us.</p>"
        ),
    },
    {
        "intent": "transfer_into_account",
        "title": "How do I transfer money into my account?",
        "body_html": (
            "<h2>Add money by bank transfer</h2>"
            "<p>You can top up your account by sending a bank transfer from another bank account in your "
            "name:</p>"
            "<ul>"
            "<li>In the app, tap <strong>Add money</strong> and choose <strong>Bank transfer</strong>.</li>"
            "<li>Copy your account details: account number and sort code for pounds, or IBAN and BIC for "
            "euros.</li>"
            "<li>Log in to your other bank and send a transfer to those details.</li>"
            "</ul>"
            "<h2>Good to know</h2>"
            "<p>You can also move money in from a foreign account using your IBAN, or transfer between "
            "your own accounts in the app. Bank transfers in GBP and EUR usually arrive within one "
            "working day, and adding money by bank transfer is free.</p>"
        ),
    },
    {
        "intent": "balance_not_updated_after_bank_transfer",
        "title": "My balance hasn't updated after a bank transfer",
        "body_html": (
            "<h2>Transferred money in, but your balance is the same?</h2>"
            "<p>If you made a bank transfer to your account from another bank, for example from a UK account or from France, and the money isn't showing in your balance yet:</p>"
            "<ul>"
            "<li>UK transfers normally show up within 2 hours, but the sending bank can take up to a working day.</li>"
            "<li>International transfers can take 2 to 5 working days to arrive.</li>"
            "<li>Check that the sending bank used your correct account details.</li>"
            "</ul>"
            "<h2>Balance still not updated?</h2>"
            "<p>Ask your other bank for the payment confirmation. If the money left their side more than 2 working days ago and your balance still hasn't changed, send us the confirmation in the app chat and we'll find the transfer and update your balance.</p>"
        ),
    },
    {
        "intent": "receiving_money",
        "title": "How can friends or my employer send me money?",
        "body_html": (
            "<h2>Receiving money from others</h2>"
            "<p>Friends, family and your employer can send money to your account using your account details, found in the app under Account &gt; Account details.</p>"
            "<ul>"
            "<li>To receive money or your salary in GBP, share your account number and sort code.</li>"
            "<li>To receive euros, share your IBAN and BIC.</li>"
            "<li>Friends who use the app can send you money instantly with your phone number.</li>"
            "</ul>"
            "<h2>Salary paid in GBP or another currency</h2>"
            "<p>Your employer can pay your wages directly into your account. If your salary is in GBP you don't need to configure anything: it arrives in pounds and you can exchange it to another currency in the app whenever you like.</p>"
        ),
    },
    # ---------------------------------------------------------------- Top-ups
    {
        "intent": "topping_up_by_card",
        "title": "How do I top up or transfer money with my debit or credit card?",
        "body_html": (
            "<h2>Top up using your card</h2>"
            "<p>You can use your debit or credit card to transfer money into your account. This is called a card top-up, and the money is usually added instantly:</p>"
            "<ul>"
            "<li>Open the app and tap <strong>Add money</strong>.</li>"
            "<li>Choose <strong>Debit or credit card</strong> and enter the card number.</li>"
            "<li>Enter the amount and confirm.</li>"
            "</ul>"
            "<h2>Can friends top up my account?</h2>"
            "<p>Card top-ups must use a card in your own name. Friends can add money to your account by sending a bank transfer to your account details.</p>"
            "<h2>Can't see your card top-up?</h2>"
            "<p>If you topped up with your card and the money isn't showing in your balance, find the top-up in your transactions: it may still be processing or waiting for card verification.</p>"
        ),
    },
    {
        "intent": "automatic_top_up",
        "title": "How do I set up auto top-up?",
        "body_html": (
            "<h2>What is auto top-up?</h2>"
            "<p>Auto top-up adds money to your account automatically whenever your balance falls below an "
            "amount you choose, so you never run short, even when you're travelling.</p>"
            "<h2>Turn on auto top-up</h2>"
            "<ul>"
            "<li>In the app, go to <strong>Add money</strong> and tap <strong>Auto top-up</strong>.</li>"
            "<li>Set the balance that should trigger a top-up and how much to add each time.</li>"
            "<li>Choose the card to use and confirm.</li>"
            "</ul>"
            "<h2>Auto top-up limits</h2>"
            "<p>Each automatic top-up can be up to &pound;1,000 and counts towards your usual top-up "
            "limits. You can change or switch off the auto top-up option at any time from the same screen. "
            "If an automatic top-up can't be completed, we'll notify you.</p>"
        ),
    },
    {
        "intent": "pending_top_up",
        "title": "My top-up hasn't gone through yet. Why is it pending?",
        "body_html": (
            "<h2>Top-up still pending?</h2>"
            "<p>Most card top-ups are instant, but a top-up can stay pending and not go through straight away while your bank confirms the payment. This often happens for a new customer, on your first top-up, or with a card you haven't used before.</p>"
            "<ul>"
            "<li>Pending top-ups usually complete within a few minutes, at most one hour.</li>"
            "<li>The money shows in your balance as soon as the top-up has gone through.</li>"
            "<li>If your bank rejects it, the pending top-up is cancelled and nothing is taken.</li>"
            "</ul>"
            "<h2>Still waiting?</h2>"
            "<p>If your top-up has been pending for more than two hours and still isn't reflected in your balance, check with your card issuer that they approved the payment, then message us.</p>"
        ),
    },
    {
        "intent": "top_up_by_bank_transfer_charge",
        "title": "How much does a transfer cost? Fees for receiving money and bank transfer top-ups",
        "body_html": (
            "<h2>Is there a charge for receiving money?</h2>"
            "<p>No. Receiving money and topping up your account by bank transfer are free on our side. Here is what each type of incoming transfer costs you:</p>"
            "<ul>"
            "<li>Local bank transfers in GBP: free to receive.</li>"
            "<li>SEPA transfers in euros: free to receive.</li>"
            "<li>SWIFT transfers: you can top up by SWIFT and we don't charge to receive them, but the sending and intermediary banks may take a fee.</li>"
            "</ul>"
            "<h2>Third-party fees</h2>"
            "<p>The bank you send the transfer from may charge its own fee for sending it, especially for international SWIFT payments, so check with them before you top up by transfer. Whatever amount reaches us is added to your balance in full.</p>"
        ),
    },
    {
        "intent": "top_up_by_card_charge",
        "title": "Is there a fee to top up with a card?",
        "body_html": (
            "<h2>Card top-up fees</h2>"
            "<p>Adding money with a debit or credit card issued in the UK or the European Economic Area is "
            "free. A top-up fee may apply when you top up with other cards:</p>"
            "<ul>"
            "<li>International cards issued outside Europe, such as US cards: 2% of the top-up amount.</li>"
            "<li>Business or commercial cards: 1% to 3% depending on the card.</li>"
            "<li>Some credit card issuers treat a top-up as a cash advance and charge their own fee.</li>"
            "</ul>"
            "<h2>See the charge before you top up</h2>"
            "<p>Any fee for topping up is shown on the confirmation screen before you add money, so you "
            "always know what it costs. To top up for free, use a European card or a bank transfer.</p>"
        ),
    },
    {
        "intent": "top_up_by_cash_or_cheque",
        "title": "Can I top up with cash or a cheque?",
        "body_html": (
            "<h2>Top up with cash</h2>"
            "<p>You can add cash to your account at any PayPoint shop in the UK. In the app, tap Add "
            "money &gt; Cash to get a barcode, then show it at the till and hand over the cash. A 2% "
            "fee applies to cash top-ups.</p>"
            "<h2>Top up with a cheque</h2>"
            "<ul>"
            "<li>We accept cheques in GBP only, made payable to you.</li>"
            "<li>Write your account number on the back of the cheque.</li>"
            "<li>Post the cheque to the address shown under Add money &gt; Cheque.</li>"
            "<li>A cheque clears about 5 working days after we receive it.</li>"
            "</ul>"
            "<p>You can't deposit cash or cheques at an ATM. For instant top-ups, use a card or bank "
            "transfer.</p>"
        ),
    },
    {
        "intent": "balance_not_updated_after_cheque_or_cash_deposit",
        "title": "My cheque or cash deposit isn't showing in my balance",
        "body_html": (
            "<h2>Deposited money but your balance hasn't changed?</h2>"
            "<p>Deposits take a little time to clear before the money is available in your account:</p>"
            "<ul>"
            "<li>Cash deposited at a PayPoint shop usually appears within 2 hours. Keep your receipt.</li>"
            "<li>A cheque you sent us clears about 5 working days after it arrives. Post can add a few "
            "days before we receive it.</li>"
            "<li>Cheques in a currency other than GBP, or without your account number on the back, are "
            "returned to you.</li>"
            "</ul>"
            "<h2>Still not showing up?</h2>"
            "<p>If your cash deposit isn't in your balance after 24 hours, or your cheque deposit after 10 "
            "working days, send us a photo of the receipt or the cheque details in the app chat so we can "
            "find the money and update your balance.</p>"
        ),
    },
    {
        "intent": "top_up_failed",
        "title": "Why did my top-up fail or get declined?",
        "body_html": (
            "<h2>Top-up failed?</h2>"
            "<p>If your top-up failed, was declined or the app rejected it, the most common reasons are:</p>"
            "<ul>"
            "<li>Your card issuer declined the payment: check you have enough funds and that the card allows online payments.</li>"
            "<li>The card details were entered wrongly or the 3D Secure check wasn't completed.</li>"
            "<li>The card isn't supported, for example some prepaid cards.</li>"
            "<li>The top-up would take you over your top-up limit.</li>"
            "</ul>"
            "<h2>What to do</h2>"
            "<p>Try again with a different card, or top up by bank transfer instead. When a top-up fails no money is taken; any temporary hold on your card disappears within a few days. If your top-ups keep failing with a card that worked before, contact us.</p>"
        ),
    },
    {
        "intent": "top_up_limits",
        "title": "What are the top-up limits?",
        "body_html": (
            "<h2>How much can I top up?</h2>"
            "<p>To keep your money safe, there are some limits on top-ups:</p>"
            "<ul>"
            "<li>Card top-ups: up to &pound;10,000 in a single top-up.</li>"
            "<li>You can top up by card up to 5 times a day and &pound;30,000 in a rolling 30-day period.</li>"
            "<li>Top-ups by bank transfer have no maximum amount.</li>"
            "<li>Your account can hold a maximum balance of &pound;250,000.</li>"
            "</ul>"
            "<h2>Need to add a larger amount?</h2>"
            "<p>If you need to add more than the card top-up limit, send a bank transfer instead. You can "
            "see your remaining top-up limit in the app under Add money &gt; Limits. You can't raise these "
            "limits yourself, but you can set a lower personal limit if you want.</p>"
        ),
    },
    {
        "intent": "top_up_reverted",
        "title": "Why was my top-up reverted or cancelled?",
        "body_html": (
            "<h2>Money disappeared after a top-up?</h2>"
            "<p>A top-up can appear in your balance and then be reverted, which means the money goes back to where it came from. This happens when:</p>"
            "<ul>"
            "<li>Your card issuer cancelled the payment after first approving it.</li>"
            "<li>We couldn't confirm that you own the card, for example because top-up verification wasn't completed.</li>"
            "<li>The money came from a cryptocurrency exchange or a source we don't support. Crypto top-ups are reverted.</li>"
            "</ul>"
            "<h2>Where is my money?</h2>"
            "<p>A reverted top-up is returned to the original card or account, and it can take 3 to 7 working days to show there. Your app balance goes back to what it was before the top-up. Contact us if you're not sure why your top-up was cancelled.</p>"
        ),
    },
    {
        "intent": "verify_top_up",
        "title": "How do I verify a card top-up?",
        "body_html": (
            "<h2>Why do we verify top-ups?</h2>"
            "<p>To protect you from card fraud, we may ask you to verify that the card you used to top up "
            "is yours. Until the card is verified, the top-up may be on hold.</p>"
            "<h2>Where is the verification code?</h2>"
            "<ul>"
            "<li>We make a small temporary charge on your card with a 6-digit verification code in the "
            "description.</li>"
            "<li>Find the code in your card's statement or in your other bank's app.</li>"
            "<li>Enter the code in our app under Add money &gt; Verify card.</li>"
            "</ul>"
            "<p>Can't see the verification code? Some banks take a day to show new transactions, so check "
            "again later. The small charge is refunded automatically once your top-up card is verified.</p>"
        ),
    },
    {
        "intent": "supported_cards_and_currencies",
        "title": "Which cards and currencies do you accept for adding money?",
        "body_html": (
            "<h2>Cards we accept for top-ups</h2>"
            "<p>You can add money to your account with most debit and credit cards, including a US credit card or a card from another bank:</p>"
            "<ul>"
            "<li>Visa and Mastercard debit and credit cards from any country.</li>"
            "<li>Maestro debit cards.</li>"
            "<li>American Express cards are not accepted at the moment.</li>"
            "</ul>"
            "<h2>Currencies you can use to add money</h2>"
            "<p>You can top up in GBP, EUR, USD, CHF, PLN, SEK, NOK, DKK, CZK and AUD. If your card is in a different currency, your card issuer converts it before it reaches us.</p>"
            "<p>Other payment methods accepted for adding funds are bank transfer, Apple Pay and Google Pay. Not sure whether your card will be accepted? Enter it under Add money and the app will tell you straight away.</p>"
        ),
    },
    # ---------------------------------------------------------------- Account
    {
        "intent": "age_limit",
        "title": "How old do I need to be to open an account?",
        "body_html": (
            "<h2>Minimum age</h2>"
            "<p>You must be at least 18 years old to open your own account and get a card.</p>"
            "<h2>Accounts for children and teenagers</h2>"
            "<p>Kids aged 13 to 17 can have a Junior account, opened and managed by a parent or guardian "
            "from their own app:</p>"
            "<ul>"
            "<li>In the app, go to Profile &gt; Family and tap <strong>Add a child</strong>.</li>"
            "<li>Enter your son's or daughter's details and order them a card.</li>"
            "<li>Top up their account, set spending limits and see every payment they make.</li>"
            "</ul>"
            "<p>Children under 13 can't have an account yet. When your child turns 18, their Junior "
            "account can be upgraded to a full account in the app.</p>"
        ),
    },
    {
        "intent": "edit_personal_details",
        "title": "How do I change my personal details?",
        "body_html": (
            "<h2>Update your details in the app</h2>"
            "<p>You can edit most personal information yourself in Profile &gt; Personal details:</p>"
            "<ul>"
            "<li><strong>Address:</strong> moved house? Enter your new address; we may ask for a proof of "
            "address.</li>"
            "<li><strong>Phone number and email:</strong> update your contact information and confirm with "
            "a code.</li>"
            "<li><strong>Name:</strong> got married or changed your name? Tap Change name and upload your "
            "marriage certificate or deed poll with a photo ID in the new name.</li>"
            "</ul>"
            "<h2>Details you can't change yourself</h2>"
            "<p>Your date of birth and nationality can only be corrected by our team. Message us in the app "
            "with a photo of your ID and we'll update your account.</p>"
        ),
    },
    {
        "intent": "terminate_account",
        "title": "How do I close my account?",
        "body_html": (
            "<h2>Closing your account</h2>"
            "<p>We're sorry to see you go. You can close your account and delete it at any time, free of "
            "charge:</p>"
            "<ul>"
            "<li>Move your remaining money out by bank transfer, since closed accounts can't hold a "
            "balance.</li>"
            "<li>Cancel any subscriptions or direct debits linked to your card.</li>"
            "<li>In the app, go to Profile &gt; Account &gt; Close account and follow the steps.</li>"
            "</ul>"
            "<h2>After you close your account</h2>"
            "<p>Your cards stop working immediately and you can no longer log in. We keep some records for "
            "the period required by law, then delete your data. If you're unhappy with our service, "
            "please tell us why when you close your account so we can improve.</p>"
        ),
    },
    {
        "intent": "country_support",
        "title": "Which countries do you operate in?",
        "body_html": (
            "<h2>Can I get an account and card where I live?</h2>"
            "<p>You can open an account and get a card if you live in the UK or in a country of the European Economic Area (EEA), such as France, Spain or Portugal. We don't operate in the United States yet, but we're working on launching in more countries.</p>"
            "<ul>"
            "<li>You need a residential address in a supported country to sign up.</li>"
            "<li>The app and customer support are available in every country where we operate.</li>"
            "<li>If you live outside the UK and the EEA, you can't open an account yet; join the waiting list in the app to hear when we launch in your country.</li>"
            "</ul>"
            "<h2>Moving to another country?</h2>"
            "<p>If you move permanently to a country we don't support yet, update your address in the app; some features may become unavailable.</p>"
        ),
    },
    {
        "intent": "verify_my_identity",
        "title": "How do I complete the identity check?",
        "body_html": (
            "<h2>Steps to verify your identity</h2>"
            "<p>To complete the identity check, follow the steps in the app:</p>"
            "<ul>"
            "<li>Tap <strong>Verify identity</strong> on the home screen.</li>"
            "<li>Take a photo of an accepted identity document.</li>"
            "<li>Take a short selfie video so we can match your face to the document.</li>"
            "</ul>"
            "<h2>Which documents are accepted?</h2>"
            "<ul>"
            "<li>Passport from any country.</li>"
            "<li>National identity card from an EEA country.</li>"
            "<li>Driving licence with a photo (UK and EEA).</li>"
            "</ul>"
            "<p>Make sure the document is valid and in date, in good light and fully in the frame before you submit it.</p>"
        ),
    },
    {
        "intent": "why_verify_identity",
        "title": "Why do I need to verify my identity?",
        "body_html": (
            "<h2>Why we ask for your ID</h2>"
            "<p>As a regulated financial institution, we're required by law to verify the identity of "
            "every customer before they can use the account. The identity check protects you from fraud "
            "and identity theft and stops criminals from using our services.</p>"
            "<ul>"
            "<li>We use your ID document, selfie and date of birth only to confirm who you are.</li>"
            "<li>Your personal data is encrypted and never sold to third parties.</li>"
            "</ul>"
            "<h2>Can I use my account before verification?</h2>"
            "<p>No. Until your identity verification has passed you can't top up, make transactions or use "
            "your card. Once verified, all features are unlocked. We may occasionally ask you to verify "
            "again, for example after you change your personal details.</p>"
        ),
    },
    {
        "intent": "unable_to_verify_identity",
        "title": "I can't prove my identity: verification isn't working",
        "body_html": (
            "<h2>Having trouble proving your identity?</h2>"
            "<p>If you can't verify your identity, the app keeps rejecting your ID, or it doesn't recognise you, try the following:</p>"
            "<ul>"
            "<li>Use an original, valid document; photocopies and expired IDs are rejected.</li>"
            "<li>Take the photo in good light, without glare, with all four corners visible.</li>"
            "<li>Record the selfie facing the camera, without glasses or a hat.</li>"
            "<li>Check that the name and date of birth you entered match your document exactly.</li>"
            "</ul>"
            "<h2>How long does verification take?</h2>"
            "<p>Results normally arrive within 10 to 60 minutes. If your identity still isn't verified after several attempts, or you have no accepted ID to prove who you are, contact us in the app chat and we'll help you finish verification another way.</p>"
        ),
    },
    {
        "intent": "verify_source_of_funds",
        "title": "Why do I need to verify the source of my funds?",
        "body_html": (
            "<h2>What is a source of funds check?</h2>"
            "<p>Sometimes we're required to check where the money in your account came from, for example "
            "after a large deposit or when your account activity changes. This is a standard anti-money "
            "laundering check.</p>"
            "<h2>How to verify your source of funds</h2>"
            "<ul>"
            "<li>Open the request in the app under Profile &gt; Verifications.</li>"
            "<li>Tell us where the funds come from, such as your salary, savings, a property sale or an "
            "inheritance.</li>"
            "<li>Upload a document proving it, like a payslip, bank statement or sale contract.</li>"
            "</ul>"
            "<p>To see where a specific payment in your account came from, tap it in your transaction "
            "list to see the sender's name and reference.</p>"
        ),
    },
    # --------------------------------------------------------------- Security
    {
        "intent": "compromised_card",
        "title": "I think someone is using my card",
        "body_html": (
            "<h2>Protect your account now</h2>"
            "<p>If you think your card details were stolen, someone hacked your card, or you see "
            "suspicious activity you didn't make, act straight away:</p>"
            "<ul>"
            "<li>Freeze your card in the app under Cards. You can unfreeze it later if everything is fine.</li>"
            "<li>Go to Help &gt; Report fraud and tell us which transactions you don't recognise.</li>"
            "<li>Change your app passcode and your email password if you think they were exposed.</li>"
            "</ul>"
            "<h2>What happens next</h2>"
            "<p>We'll cancel the compromised card, send you a new card with a different number and "
            "investigate the fraudulent use. Eligible unauthorised transactions are refunded. Remember, we "
            "will never ask for your PIN or passcode.</p>"
        ),
    },
    {
        "intent": "lost_or_stolen_card",
        "title": "I lost my card or it was stolen",
        "body_html": (
            "<h2>Block a lost or stolen card</h2>"
            "<p>If you lost your card, can't find it, or your wallet was stolen with your cards in it, block the card as soon as possible:</p>"
            "<ul>"
            "<li>Open the app and go to <strong>Cards</strong>.</li>"
            "<li>Select the card and tap <strong>Report lost or stolen</strong>.</li>"
            "<li>We deactivate the card immediately so nobody can use it and send you a new card.</li>"
            "</ul>"
            "<h2>Not sure it's lost?</h2>"
            "<p>If you have just misplaced your card, freeze it in the app instead; you can unfreeze it if it turns up. There's no fee for replacing a stolen card. Check your recent activity and tell us about any payments you didn't make.</p>"
        ),
    },
    {
        "intent": "lost_or_stolen_phone",
        "title": "I lost my phone or it was stolen",
        "body_html": (
            "<h2>Protect your account if your phone is gone</h2>"
            "<p>If your phone was lost or stolen, your account is protected by your passcode, but act "
            "quickly to stop anyone using your account:</p>"
            "<ul>"
            "<li>Log in on our website from another device and freeze your cards.</li>"
            "<li>Or contact us by phone or from a friend's device, and we'll block access from your "
            "lost phone.</li>"
            "<li>Ask your mobile operator to block your SIM card.</li>"
            "</ul>"
            "<h2>Getting a new phone</h2>"
            "<p>You don't need a new account when you replace your phone. Install the app on the new phone "
            "and log in with your phone number; we'll ask you to confirm your identity with a selfie "
            "before you get access to the app again.</p>"
        ),
    },
    {
        "intent": "passcode_forgotten",
        "title": "I forgot my passcode",
        "body_html": (
            "<h2>Reset your passcode</h2>"
            "<p>Your passcode is the code you use to log in to the app. If you have forgotten it or it "
            "isn't being accepted, you can reset it yourself:</p>"
            "<ul>"
            "<li>On the login screen, tap <strong>Forgot passcode?</strong></li>"
            "<li>Enter the code we send to your email address.</li>"
            "<li>Confirm your identity with a quick selfie, then choose a new passcode.</li>"
            "</ul>"
            "<h2>Can't log in at all?</h2>"
            "<p>If you no longer have access to your email address, contact us using the help link on the "
            "login screen. For your security, we can never tell you your passcode or password; you can "
            "only reset it.</p>"
        ),
    },
    {
        "intent": "pin_blocked",
        "title": "My PIN is blocked. How do I unblock it?",
        "body_html": (
            "<h2>Why your PIN gets blocked</h2>"
            "<p>If you enter the wrong PIN three times in a row, your PIN is blocked to protect your card "
            "from someone guessing it. Card payments that need a PIN and ATM withdrawals won't work until "
            "you unblock it.</p>"
            "<h2>How to unblock your PIN</h2>"
            "<ul>"
            "<li>Open the app and go to <strong>Cards</strong>.</li>"
            "<li>Select the card and tap <strong>Unblock PIN</strong>, then confirm with your passcode.</li>"
            "<li>Check your correct PIN under Show PIN before trying again.</li>"
            "</ul>"
            "<p>In some countries you then need to make one transaction at an ATM with the correct PIN to "
            "finish unlocking it. If the unblock PIN option isn't shown, contact us in the app.</p>"
        ),
    },
    {
        "intent": "change_pin",
        "title": "How do I change my PIN?",
        "body_html": (
            "<h2>Changing your card PIN</h2>"
            "<p>You can change your PIN at most cash machines with PIN services. Insert your card, enter your current PIN and choose <strong>PIN services &gt; Change PIN</strong>, then type your new PIN twice.</p>"
            "<ul>"
            "<li>PIN change is available at ATMs in the UK and most of Europe.</li>"
            "<li>Some countries don't support changing your PIN at an ATM; if you're abroad, for example in Spain, check the ATM menu.</li>"
            "<li>Choose a new PIN that's hard to guess; avoid 1234 or your birth year.</li>"
            "</ul>"
            "<h2>Think your PIN has been compromised?</h2>"
            "<p>Change it at the next ATM and freeze your card in the app until you do. If you forget your new PIN, you can reset it from the card settings.</p>"
        ),
    },
    # --------------------------------------------------- Exchange & currencies
    {
        "intent": "exchange_rate",
        "title": "What exchange rate do you use and where does it come from?",
        "body_html": (
            "<h2>Where our exchange rates come from</h2>"
            "<p>Our exchange rates are based on the interbank rate, the rate banks use to trade currencies with each other. We take exchange rates from real-time market data, so the rate you get changes constantly while currency markets are open.</p>"
            "<ul>"
            "<li>To find out the current exchange rate for a currency, check the rates list in the app before you pay or exchange.</li>"
            "<li>The same exchange rate policy applies to card payments, transfers and exchanges.</li>"
            "<li>At the weekend, when markets are closed, the exchange rate includes a small markup.</li>"
            "</ul>"
            "<h2>Why do exchange rates change?</h2>"
            "<p>Foreign exchange rates move with the market all the time. Set a rate alert in the app to be told when the exchange rate for a currency reaches the level you want.</p>"
        ),
    },
    {
        "intent": "exchange_charge",
        "title": "Is there a fee for exchanging currency?",
        "body_html": (
            "<h2>Currency exchange fees</h2>"
            "<p>Exchanging currencies is free up to your plan's monthly allowance on weekdays. Above that, "
            "a small exchange fee is charged:</p>"
            "<ul>"
            "<li>Standard plan: free up to &pound;1,000 a month, then 0.5% of the amount exchanged.</li>"
            "<li>Premium plan: no exchange fee on any amount.</li>"
            "<li>At weekends an extra 1% markup applies to major currencies on every plan.</li>"
            "</ul>"
            "<h2>Exchanging currency often?</h2>"
            "<p>We don't offer individual discounts, but if you exchange currencies frequently, the "
            "Premium plan removes the monthly limit on fee-free exchange. The fee is always shown before "
            "you confirm.</p>"
        ),
    },
    {
        "intent": "exchange_via_app",
        "title": "How do I exchange currencies in the app?",
        "body_html": (
            "<h2>Exchange money in a few taps</h2>"
            "<p>You can exchange currencies in the app at any time, for example from GBP to USD, EUR or AUD:</p>"
            "<ul>"
            "<li>Open the app and tap <strong>Exchange</strong>.</li>"
            "<li>Choose the currency you want to sell and the currency you want to buy.</li>"
            "<li>Enter the amount and check how much you'll receive.</li>"
            "<li>Tap <strong>Exchange</strong> to confirm. The money appears in your new currency balance instantly.</li>"
            "</ul>"
            "<h2>Good to know</h2>"
            "<p>You can exchange between all the currencies we hold, and spend the exchanged money in another country with your card. To change money back, repeat the steps with the two currencies swapped.</p>"
        ),
    },
    {
        "intent": "fiat_currency_support",
        "title": "Which currencies can I hold and exchange?",
        "body_html": (
            "<h2>Supported fiat currencies</h2>"
            "<p>You can hold and exchange over 25 fiat currencies in your account, each in its own balance. "
            "The most popular ones include:</p>"
            "<ul>"
            "<li>British pound (GBP), euro (EUR) and US dollar (USD)</li>"
            "<li>Swiss franc (CHF), Australian dollar (AUD) and Canadian dollar (CAD)</li>"
            "<li>Polish zloty (PLN), Swedish krona (SEK) and Japanese yen (JPY)</li>"
            "</ul>"
            "<h2>Holding money in different currencies</h2>"
            "<p>Open a new currency balance in the app under Accounts &gt; Add currency. The full, up-to-date "
            "list of currencies supported for holding and exchange is shown there. Some currencies can be "
            "exchanged but not held; the app tells you when that's the case.</p>"
        ),
    },
    {
        "intent": "card_payment_wrong_exchange_rate",
        "title": "I was charged the wrong exchange rate on a card payment",
        "body_html": (
            "<h2>Exchange rates on purchases abroad</h2>"
            "<p>When you buy something in a foreign currency, we convert the card payment at our exchange "
            "rate at the moment you pay. The rate on your purchase can look wrong for a few reasons:</p>"
            "<ul>"
            "<li>The merchant offered to charge you in your home currency and used its own, worse rate. "
            "Always choose to pay in the local currency.</li>"
            "<li>The payment was pending and the merchant completed it later, at a different rate.</li>"
            "<li>You paid at the weekend, when a markup applies.</li>"
            "</ul>"
            "<h2>Think the rate is still incorrect?</h2>"
            "<p>Tap the card payment in the app to see the exchange rate applied and the amount in both "
            "currencies. If the item you purchased still got an incorrect exchange rate, send us the "
            "details from that screen.</p>"
        ),
    },
    {
        "intent": "wrong_exchange_rate_for_cash_withdrawal",
        "title": "I got the wrong exchange rate on a cash withdrawal",
        "body_html": (
            "<h2>Got less cash than expected at an ATM abroad?</h2>"
            "<p>When you withdraw cash in a foreign currency, for example on holiday, we convert the withdrawal at our exchange rate at the time you take the money out. If you got less cash than expected or were charged too much, check the following:</p>"
            "<ul>"
            "<li>The ATM may offer to convert the withdrawal into your home currency. Always decline and choose the local currency, or the ATM's own rate applies.</li>"
            "<li>The ATM operator can charge its own withdrawal fee, shown on the screen.</li>"
            "<li>Cash withdrawals at the weekend include a small exchange markup.</li>"
            "</ul>"
            "<h2>Check your cash withdrawal</h2>"
            "<p>Tap the withdrawal in the app to see the rate and fees applied. If the exchange rate for your cash withdrawal still looks wrong, report it from that screen.</p>"
        ),
    },
    # ------------------------------------------------------------------- Cash
    {
        "intent": "atm_support",
        "title": "Which ATMs can I use?",
        "body_html": (
            "<h2>Using ATMs with your card</h2>"
            "<p>You can withdraw cash from any ATM that displays the Mastercard or Visa logo matching your "
            "card, in the UK and abroad. That includes ATMs of other banks and institutions.</p>"
            "<ul>"
            "<li>To find the closest ATM, open the app and tap Cards &gt; ATM map; it shows cash machines "
            "near you.</li>"
            "<li>Look for the card network logo on the machine before inserting your card.</li>"
            "<li>You'll need your PIN; check it under Cards &gt; Show PIN.</li>"
            "</ul>"
            "<h2>Withdrawing abroad</h2>"
            "<p>ATMs in most countries accept our cards. Some ATM operators charge their own fee, which "
            "the machine must show before you confirm the withdrawal.</p>"
        ),
    },
    {
        "intent": "card_swallowed",
        "title": "The ATM swallowed my card",
        "body_html": (
            "<h2>The ATM kept your card?</h2>"
            "<p>ATMs sometimes keep or swallow a card if the wrong PIN was entered too many times, the "
            "transaction timed out, or the machine had a fault. For security, we can't get your card back "
            "from the cash machine.</p>"
            "<ul>"
            "<li>Open the app, go to Cards and tap <strong>Report a problem &gt; ATM took my card</strong>.</li>"
            "<li>We'll cancel the card so it can't be used and send you a new one free of charge.</li>"
            "<li>If the ATM belongs to a bank, you can also tell them, but they won't return the card.</li>"
            "</ul>"
            "<p>Until your new card arrives, you can keep paying with your virtual card or with Apple Pay "
            "and Google Pay.</p>"
        ),
    },
    {
        "intent": "cash_withdrawal_charge",
        "title": "Why was I charged a fee for a cash withdrawal?",
        "body_html": (
            "<h2>ATM withdrawal fees</h2>"
            "<p>Each plan includes a monthly allowance of free cash withdrawals. After that, a fee is charged "
            "for each withdrawal:</p>"
            "<ul>"
            "<li>Standard plan: free ATM withdrawals up to &pound;200 a month, then a 2% fee.</li>"
            "<li>Premium plan: free withdrawals up to &pound;400 a month.</li>"
            "<li>The ATM operator can add its own charge, which we don't control and which is shown on the "
            "machine's screen.</li>"
            "</ul>"
            "<h2>Why was I charged this time?</h2>"
            "<p>If you haven't been charged for using an ATM before, you have probably gone over your monthly "
            "limit. Tap the withdrawal in the app to see the fee and how much of your allowance you have "
            "left.</p>"
        ),
    },
    {
        "intent": "cash_withdrawal_not_recognised",
        "title": "There's a cash withdrawal I didn't make",
        "body_html": (
            "<h2>A withdrawal you don't recognise</h2>"
            "<p>If the app shows an ATM cash withdrawal you didn't make, someone may have copied your card "
            "or used it without your consent. Act straight away:</p>"
            "<ul>"
            "<li>Freeze your card in the app under Cards.</li>"
            "<li>Tap the withdrawal and choose <strong>I don't recognise this withdrawal</strong>.</li>"
            "<li>Tell us whether your card is still with you or your wallet was stolen.</li>"
            "</ul>"
            "<h2>What happens next</h2>"
            "<p>We'll cancel the card, send you a new one and investigate the cash withdrawal with the ATM "
            "operator. If it is confirmed that you didn't take the money out, we refund it to your "
            "account.</p>"
        ),
    },
    {
        "intent": "declined_cash_withdrawal",
        "title": "Why was my cash withdrawal declined?",
        "body_html": (
            "<h2>ATM declined your withdrawal?</h2>"
            "<p>If the ATM rejected your card or cancelled the withdrawal and you didn't get cash, the most "
            "common reasons are:</p>"
            "<ul>"
            "<li>A wrong PIN was entered, or your PIN is blocked.</li>"
            "<li>The amount is over your daily ATM withdrawal limit or your available balance.</li>"
            "<li>ATM withdrawals are switched off in your card's security settings.</li>"
            "<li>This is your first use of the card and it hasn't been activated yet.</li>"
            "<li>The ATM doesn't accept your card network.</li>"
            "</ul>"
            "<h2>What to do</h2>"
            "<p>Check the reason for the declined withdrawal in the app, fix it and try a different ATM. "
            "A declined cash withdrawal isn't charged.</p>"
        ),
    },
    {
        "intent": "pending_cash_withdrawal",
        "title": "Why is my cash withdrawal still pending?",
        "body_html": (
            "<h2>Withdrawal showing as pending</h2>"
            "<p>When you take money out of an ATM, the withdrawal shows as pending in the app until the ATM "
            "operator confirms it. This is normal, even if you already have the cash in your hand.</p>"
            "<ul>"
            "<li>Most pending cash withdrawals complete within 1 to 2 working days.</li>"
            "<li>Withdrawals abroad can stay pending for up to 7 days.</li>"
            "</ul>"
            "<h2>The ATM didn't give me the cash</h2>"
            "<p>If the machine failed and you didn't receive the money, but the withdrawal is pending, "
            "don't worry: the ATM operator will cancel it and the amount returns to your balance, usually "
            "within 7 days. If it completes anyway, contact us with the ATM's location and time.</p>"
        ),
    },
    {
        "intent": "wrong_amount_of_cash_received",
        "title": "The ATM gave me the wrong amount of cash",
        "body_html": (
            "<h2>Received less cash than you asked for?</h2>"
            "<p>If the ATM gave you the wrong amount, for example you asked for 40 pounds but only 20 came "
            "out, while the app shows the full amount withdrawn:</p>"
            "<ul>"
            "<li>Keep the ATM receipt, and note the machine's location, date and time.</li>"
            "<li>In the app, tap the cash withdrawal and choose <strong>I got the wrong amount of "
            "cash</strong>.</li>"
            "<li>Enter how much money you actually received.</li>"
            "</ul>"
            "<h2>What happens next</h2>"
            "<p>We'll raise a dispute with the ATM operator, who checks the machine's cash balance. If it "
            "shows you received less than you were charged, we refund the difference. This usually takes "
            "up to 10 working days. If the ATM gave you more cash than you asked for, the extra may be "
            "charged later.</p>"
        ),
    },
    # ------------------------------------------- Second articles for broad intents
    {
        "intent": "supported_cards_and_currencies",
        "title": "What currencies can I use to add money to my account?",
        "body_html": (
            "<h2>Adding money in different currencies</h2>"
            "<p>When you add money by card, the currencies we accept are GBP, EUR, USD, CHF, PLN, SEK, NOK, "
            "DKK, CZK and AUD. Your top-up is credited in the same currency, so you can add money in "
            "dollars or euros without exchanging first.</p>"
            "<ul>"
            "<li>Cards accepted for adding money: Visa, Mastercard and Maestro, debit or credit, including "
            "cards issued in the US.</li>"
            "<li>Cards not accepted: American Express and some prepaid cards.</li>"
            "<li>If you pay with a card in a currency we don't accept, your card issuer converts the amount "
            "and may charge you for it.</li>"
            "</ul>"
            "<p>The list of supported cards and currencies is also shown in the app when you tap Add money.</p>"
        ),
    },
    {
        "intent": "top_up_by_bank_transfer_charge",
        "title": "Do I pay a fee to receive money or for a SEPA or SWIFT transfer?",
        "body_html": (
            "<h2>Incoming transfers are free</h2>"
            "<p>You won't be charged when someone sends you money or when you top up your own account by "
            "transfer. This applies to every plan:</p>"
            "<ul>"
            "<li>SEPA transfer received in euros: no fee.</li>"
            "<li>Local transfer received in pounds: no fee.</li>"
            "<li>SWIFT transfer received from abroad: no fee from us, though the sender's bank or a "
            "correspondent bank may deduct a handling fee before the money arrives.</li>"
            "</ul>"
            "<h2>Why did I receive less than was sent?</h2>"
            "<p>If the amount you received by transfer is lower than expected, a third-party bank along the "
            "way took its fee. Ask the sender to choose the OUR charge option for SWIFT payments so that they "
            "cover all the fees.</p>"
        ),
    },
    # Restricted to user segments (Zendesk user_segment_id): never recommended to a customer outside them.
    {
        "intent": "request_refund",
        "user_segment_id": 360000000101,  # agents and managers
        "title": "Internal: issuing refunds over 500 EUR",
        "body_html": (
            "<p><b>Agents only.</b> A customer asks for a refund of more than 500 euros for a card payment or an "
            "order: check that the merchant has not refunded already, then issue it in Admin with code RF-7731 "
            "and tell the customer it arrives within 5 working days.</p>"
        ),
    },
    {
        "intent": "card_payment_wrong_exchange_rate",
        "user_segment_id": 360000000102,  # signed-in customers
        "title": "Your card's exchange rate, compared with the interbank rate",
        "body_html": (
            "<p>Signed in, you can see the rate each of your card payments got and the interbank rate of that "
            "minute in <b>Cards</b> &gt; <b>Payments</b>. If the difference is above our published margin, "
            "dispute the payment from there.</p>"
        ),
    },
]
