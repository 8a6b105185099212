#!/usr/bin/env python3
"""Writes crates/interop/tests/fixtures/mail/labelled.mbox: a CEO's inbox
(lena@northwind.example), about fifteen messages per triage category, each
with an `X-Adjutant-Label: <category>` header. Our own text. Run from the
repository root; the output is committed, this script documents it."""
import email.utils, sys

OWNER = "Lena Vogel <lena@northwind.example>"

# (label, from, subject, body, extra headers, to_me?)  to_me False → Cc
M = []
def add(label, frm, subject, body, extra=None, cc=False, to=None):
    M.append((label, frm, subject, body.strip() + "\n", extra or {}, cc, to))

# ---- act: something to do, often with a deadline
add("act", "Tom Reyes <tom@northwind.example>", "Sign the lease extension by Friday",
    "Hi Lena,\n\nThe landlord sent the lease extension for the second floor. Please sign it by Friday so legal can countersign before the holidays.\n\nTom")
add("act", "Priya Nair <priya@northwind.example>", "Budget sign-off needed",
    "Lena,\n\nThe 2027 budget needs your approval before the board pack goes out. Deadline is Tuesday noon.\n\nPriya")
add("act", "CleanCo Billing <billing@cleanco.example>", "Invoice 2026-131",
    "Dear customer,\n\nPlease find invoice 2026-131 attached. Amount due EUR 1,240.00, payment due by 16 December.\n\nCleanCo")
add("act", "Maya Jansen <maya@northwind.example>", "Action required: expense report",
    "Hi Lena,\n\nYour November expense report is missing two receipts. Action required before the month closes on the 5th.\n\nMaya")
add("act", "Sam Okafor <sam@northwind.example>", "Offer letter for the CFO candidate",
    "Lena,\n\nThe offer letter for Ruth is ready. Please review and approve it today so we can send it EOD.\n\nSam")
add("act", "Legal <legal@northwind.example>", "NDA with Harbour Labs",
    "Hello Lena,\n\nHarbour Labs wants the NDA signed before Monday's call. Please sign via the link in the portal before Monday.\n\nLegal team")
add("act", "Anna Berg <anna.berg@acme.example>", "Contract draft: please review",
    "Lena,\n\nAttached is the draft of the services agreement. Please review the liability clause and send comments by 10 December.\n\nAnna")
add("act", "Tom Reyes <tom@northwind.example>", "Headcount plan due Thursday",
    "Hi Lena,\n\nHR needs the final headcount plan from you. It is due Thursday; finance locks the numbers after that.\n\nTom")
add("act", "Office Supplies Co <accounts@officesupplies.example>", "Payment reminder: overdue invoice 8812",
    "Dear Northwind,\n\nOur records show invoice 8812 is overdue. Please arrange payment of EUR 312.50 at your earliest convenience.\n\nAccounts")
add("act", "Priya Nair <priya@northwind.example>", "Approve the travel policy change",
    "Lena,\n\nThe updated travel policy needs your approval. It takes effect in January, so I need it ASAP.\n\nPriya")
add("act", "Board Secretary <secretary@northwind.example>", "Board resolution to sign",
    "Dear Lena,\n\nThe written resolution on the share option pool needs your signature. Please sign and return it before the 15th.\n\nBest regards")
add("act", "Maya Jansen <maya@northwind.example>", "Book the Lisbon hotel",
    "Lena,\n\nThe conference rate at the Lisbon hotel ends tomorrow. Please book your room by tomorrow or tell me to do it.\n\nMaya")
add("act", "Ruth Klein <ruth@auditors.example>", "Audit: management letter response",
    "Dear Ms Vogel,\n\nWe need management's responses to the three findings by 18 December to finish the audit.\n\nRuth Klein")
add("act", "Sam Okafor <sam@northwind.example>", "Performance reviews: yours are overdue",
    "Hi Lena,\n\nFour of your direct reports' reviews are overdue. Please complete them in the HR tool this week.\n\nSam")
add("act", "Insurance Desk <desk@broker.example>", "Policy renewal: confirm cover",
    "Dear Lena Vogel,\n\nYour liability policy renews on 1 January. Please confirm the insured amount before 20 December so we can issue the certificate.\n\nBroker desk")

# ---- reply: a question for us
add("reply", "Anna Berg <anna.berg@acme.example>", "Dinner next week?",
    "Hi Lena,\n\nAre you free for dinner next Wednesday? I would like to hear how the expansion is going.\n\nAnna")
add("reply", "Li Wei <li@partner.example>", "Which day suits you?",
    "Lena,\n\nWe are planning the partner summit. Which of these days works for you: 14, 15 or 21 January?\n\nLi")
add("reply", "Tom Reyes <tom@northwind.example>", "Quick question on the reorg",
    "Lena,\n\nShould Maya's team report to me or to Priya after the reorg? I want to tell them this week.\n\nTom")
add("reply", "Jonas Weber <jonas@vc.example>", "Intro to a founder",
    "Hi Lena,\n\nWould you be open to a 20-minute call with a founder building logistics software? I think you would like her.\n\nJonas")
add("reply", "Maya Jansen <maya@northwind.example>", "Keynote topic",
    "Lena,\n\nThe organisers ask what your keynote will be about. What do you think of 'Growing without losing focus'?\n\nMaya")
add("reply", "Priya Nair <priya@northwind.example>", "Your view on the pricing change",
    "Hi Lena,\n\nCould you give me your view on moving the small plan to annual billing? Sales are split.\n\nPriya")
add("reply", "Dr. Hans Ott <ott@university.example>", "Guest lecture",
    "Dear Ms Vogel,\n\nWould you be willing to give a guest lecture to our MBA students in the spring term?\n\nKind regards,\nHans Ott")
add("reply", "Sara Lind <sara@press.example>", "Interview request",
    "Hello Lena,\n\nI am writing a piece on European scale-ups. Can you spare half an hour for an interview before Christmas?\n\nSara Lind, Business Daily")
add("reply", "Anna Berg <anna.berg@acme.example>", "Re: Pilot results",
    "Lena,\n\nThanks for the summary. Do you want us to extend the pilot to the Rotterdam site as well?\n\nAnna", {"In-Reply-To": "<lena-pilot-2@northwind.example>"})
add("reply", "Tom Reyes <tom@northwind.example>", "Offsite agenda",
    "Hi Lena,\n\nI drafted the offsite agenda. Anything you want to add or cut?\n\nTom")
add("reply", "Mark Dunn <mark@customer.example>", "Reference call",
    "Hi Lena,\n\nWe are considering expanding our contract. Could we talk to another customer of yours as a reference?\n\nMark")
add("reply", "Elena Rossi <elena@northwind.example>", "Mentoring",
    "Hi Lena,\n\nWould you be my mentor for the leadership programme next year? It is one hour a month.\n\nElena")
add("reply", "Li Wei <li@partner.example>", "Re: Joint webinar",
    "Lena,\n\nGreat idea. Who from your side would present, you or Priya?\n\nLi", {"In-Reply-To": "<lena-webinar-1@northwind.example>"})
add("reply", "Jonas Weber <jonas@vc.example>", "Your thoughts on the term sheet",
    "Lena,\n\nI saw the draft term sheet from the new lead. Your thoughts on the board seat question?\n\nJonas")
add("reply", "Priya Nair <priya@northwind.example>", "Team lunch",
    "Lena,\n\nThe finance team would love to have lunch with you. Does a Thursday in January suit you?\n\nPriya")

# ---- waiting: someone will get back to us
add("waiting", "Anna Berg <anna.berg@acme.example>", "Re: Contract terms",
    "Hi Lena,\n\nThanks, I have passed your points to our legal team and will get back to you by next week.\n\nAnna", {"In-Reply-To": "<lena-terms-1@northwind.example>"})
add("waiting", "Support <support@saasvendor.example>", "We received your request [#48213]",
    "Hello Lena,\n\nWe have received your request about the SSO settings. Our team is looking into it and will reply within one business day.\n\nSupport")
add("waiting", "Mark Dunn <mark@customer.example>", "Re: Renewal proposal",
    "Lena,\n\nI shared the proposal with our CFO. I will let you know after our budget meeting on the 12th.\n\nMark", {"In-Reply-To": "<lena-renewal-3@northwind.example>"})
add("waiting", "Jonas Weber <jonas@vc.example>", "Re: Intro",
    "Lena,\n\nI have asked her whether she is interested. I will come back to you once I hear from her.\n\nJonas", {"In-Reply-To": "<lena-intro-1@northwind.example>"})
add("waiting", "Ruth Klein <ruth@auditors.example>", "Re: Audit timetable",
    "Dear Ms Vogel,\n\nI will confirm the fieldwork dates with my partner and get back to you on Friday.\n\nRuth Klein", {"In-Reply-To": "<lena-audit-1@northwind.example>"})
add("waiting", "Facilities <facilities@landlord.example>", "Re: Heating on the third floor",
    "Dear tenant,\n\nWe received your report about the heating. A technician will follow up with a visit this week.\n\nFacilities")
add("waiting", "Sara Lind <sara@press.example>", "Re: Interview quotes",
    "Hi Lena,\n\nThanks for the call. I will send you the quotes for approval before we publish.\n\nSara", {"In-Reply-To": "<lena-press-2@northwind.example>"})
add("waiting", "Li Wei <li@partner.example>", "Re: Data sharing agreement",
    "Lena,\n\nOur DPO is looking into the clause on sub-processors. I'll get back to you with her answer.\n\nLi", {"In-Reply-To": "<lena-dsa-1@northwind.example>"})
add("waiting", "Recruiting Partners <team@recruiters.example>", "Re: VP Sales search",
    "Dear Lena,\n\nWe have received your brief and are looking into candidates. We will revert with a long list within two weeks.\n\nRecruiting Partners")
add("waiting", "Anna Berg <anna.berg@acme.example>", "Re: Pilot extension",
    "Lena,\n\nI'm checking with the site manager in Rotterdam and will let you know tomorrow.\n\nAnna", {"In-Reply-To": "<lena-pilot-3@northwind.example>"})
add("waiting", "Bank Relationship Desk <rm@bank.example>", "Re: Credit line",
    "Dear Ms Vogel,\n\nYour request for the credit line increase is with our credit committee. We will confirm the outcome next Thursday.\n\nRelationship Management")
add("waiting", "Tom Reyes <tom@northwind.example>", "Re: Numbers for the board",
    "Lena,\n\nFinance is still closing November. I will send you the numbers as soon as they are final, probably Monday.\n\nTom", {"In-Reply-To": "<lena-board-4@northwind.example>"})
add("waiting", "Dr. Hans Ott <ott@university.example>", "Re: Guest lecture date",
    "Dear Ms Vogel,\n\nThank you for agreeing. I will confirm the room and the date with the faculty office and get back to you.\n\nHans Ott", {"In-Reply-To": "<lena-lecture-1@northwind.example>"})
add("waiting", "Harbour Labs <hello@harbourlabs.example>", "Re: Proposal",
    "Hi Lena,\n\nWe have received your proposal and are reviewing it internally. We will follow up early next week.\n\nHarbour Labs")
add("waiting", "Mark Dunn <mark@customer.example>", "Re: Security questionnaire",
    "Lena,\n\nOur security team is looking into your answers. I'll let you know if they need anything else.\n\nMark", {"In-Reply-To": "<lena-sec-1@northwind.example>"})

# ---- read: worth reading, nothing to do
add("read", "Tom Reyes <tom@northwind.example>", "November sales summary",
    "Lena,\n\nNovember closed at 112% of target. The enterprise segment carried it; SMB was flat. Details in the dashboard.\n\nTom")
add("read", "Priya Nair <priya@northwind.example>", "Cash position",
    "Hi Lena,\n\nFor your information before the board: we hold 14.2 months of runway at the current burn.\n\nPriya")
add("read", "Maya Jansen <maya@northwind.example>", "Notes from the customer advisory board",
    "Lena,\n\nHere are my notes from yesterday's advisory board. The main theme was reporting; three customers asked for exports.\n\nMaya")
add("read", "Anna Berg <anna.berg@acme.example>", "Pilot results",
    "Hi Lena,\n\nThe pilot in Utrecht cut picking errors by a third. Our operations team is very pleased.\n\nAnna")
add("read", "Sam Okafor <sam@northwind.example>", "Engagement survey results",
    "Lena,\n\nThe engagement survey came back with 81% participation. Scores rose in every team except support.\n\nSam")
add("read", "Elena Rossi <elena@northwind.example>", "Product launch recap",
    "Hi Lena,\n\nThe launch went well: 1,200 sign-ups in the first week and no major incidents.\n\nElena")
add("read", "Jonas Weber <jonas@vc.example>", "Portfolio letter, Q4",
    "Lena,\n\nSharing our quarterly letter to portfolio founders. The section on hiring in a slow market may interest you.\n\nJonas")
add("read", "Tom Reyes <tom@northwind.example>", "Competitor news",
    "Lena,\n\nOur main competitor announced layoffs this morning. Nothing changes for us, but good to know.\n\nTom")
add("read", "Li Wei <li@partner.example>", "Thank you for the visit",
    "Lena,\n\nThank you for hosting us last week. The team left with lots of energy and ideas.\n\nLi")
add("read", "Priya Nair <priya@northwind.example>", "Audit kickoff went well",
    "Hi Lena,\n\nThe auditors started today. They expect no surprises this year.\n\nPriya")
add("read", "Maya Jansen <maya@northwind.example>", "Office move update",
    "Lena,\n\nThe move to the new floor is on track for February. Furniture arrives in the second week of January.\n\nMaya")
add("read", "Mark Dunn <mark@customer.example>", "Great work by your team",
    "Hi Lena,\n\nI wanted you to know that your support team resolved our outage in under an hour. Very impressive.\n\nMark")
add("read", "Sam Okafor <sam@northwind.example>", "New hires starting Monday",
    "Lena,\n\nFive people join on Monday: two engineers, one designer and two account managers. Onboarding is set.\n\nSam")
add("read", "Elena Rossi <elena@northwind.example>", "Roadmap for Q1",
    "Hi Lena,\n\nThe Q1 roadmap is final. We focus on exports, the API and performance.\n\nElena")
add("read", "Anna Berg <anna.berg@acme.example>", "Article you might like",
    "Lena,\n\nI read this piece on warehouse automation and thought of our conversation in October.\n\nAnna")

# ---- fyi: cc'd, notifications
add("fyi", "Tom Reyes <tom@northwind.example>", "Re: Delivery schedule",
    "Hi Mark,\n\nConfirming that the second batch ships on the 9th.\n\nTom", cc=True, to="Mark Dunn <mark@customer.example>")
add("fyi", "Calendar <calendar@northwind.example>", "Accepted: Leadership sync",
    "Priya Nair has accepted this invitation.", {"Auto-Submitted": "auto-generated"})
add("fyi", "Priya Nair <priya@northwind.example>", "Re: Vendor onboarding",
    "Dana,\n\nWe received your documents; onboarding is complete.\n\nPriya", cc=True, to="Dana O'Neil <dana@vendor.example>")
add("fyi", "Build Bot <ci@northwind.example>", "Release 4.18 deployed",
    "Release 4.18 was deployed to production at 14:02 UTC.", {"Auto-Submitted": "auto-generated"})
add("fyi", "Maya Jansen <maya@northwind.example>", "Room change for the all-hands",
    "Team,\n\nThe all-hands moves to the big hall on the ground floor.\n\nMaya", cc=True, to="All staff <staff@northwind.example>")
add("fyi", "HR System <hr@northwind.example>", "Leave approved: Tom Reyes",
    "Tom Reyes's leave from 22 to 31 December has been approved.", {"Auto-Submitted": "auto-generated"})
add("fyi", "Sam Okafor <sam@northwind.example>", "Re: Interview panel",
    "Elena,\n\nYou are on the panel for the designer role on Tuesday.\n\nSam", cc=True, to="Elena Rossi <elena@northwind.example>")
add("fyi", "Li Wei <li@partner.example>", "Automatic reply: Summit dates",
    "I am travelling until 10 December with limited access to email.", {"Auto-Submitted": "auto-replied"})
add("fyi", "Security <security@northwind.example>", "New sign-in to your account",
    "A new sign-in to your Northwind account from Amsterdam on a known device.", {"Auto-Submitted": "auto-generated"})
add("fyi", "Tom Reyes <tom@northwind.example>", "Re: Quarterly business review",
    "Anna,\n\nThe slides for the review are in the shared folder.\n\nTom", cc=True, to="Anna Berg <anna.berg@acme.example>")
add("fyi", "Expenses <expenses@northwind.example>", "Report reimbursed",
    "Your expense report 'October travel' has been reimbursed.", {"Auto-Submitted": "auto-generated"})
add("fyi", "Elena Rossi <elena@northwind.example>", "Re: Bug in the export",
    "Team,\n\nThe fix is merged and will ship with the next release.\n\nElena", cc=True, to="Support <support@northwind.example>")
add("fyi", "Docs <docs@northwind.example>", "Maya Jansen shared 'Offsite plan'",
    "Maya Jansen shared a document with you: Offsite plan.", {"Auto-Submitted": "auto-generated"})
add("fyi", "Priya Nair <priya@northwind.example>", "Re: Bank mandate",
    "Hello,\n\nThe new signatories are attached as requested.\n\nPriya", cc=True, to="Relationship Desk <rm@bank.example>")
add("fyi", "Calendar <calendar@northwind.example>", "Updated invitation: Board meeting",
    "The board meeting has moved to 10:00.", {"Auto-Submitted": "auto-generated"})

# ---- newsletter: bulk
news = {"List-Unsubscribe": "<https://lists.example/u/1>", "Precedence": "bulk"}
for frm, subj, body in [
    ("Industry Weekly <digest@industryweekly.example>", "Industry Weekly #215: logistics funding", "This week: three logistics start-ups raised rounds and a big merger in freight."),
    ("Harvard-ish Review <newsletter@review.example>", "The leadership issue", "Articles this month on hybrid teams, decision speed and the quiet manager."),
    ("SaaS Metrics <hello@saasmetrics.example>", "Benchmarks for 2027", "Our annual benchmark report: growth, churn and net revenue retention across 600 companies."),
    ("Airline Miles <miles@airline.example>", "Your December miles statement", "You earned 4,210 miles this month. Discover winter destinations."),
    ("Conference Org <news@techconf.example>", "Early-bird tickets for TechConf 2027", "Early-bird pricing ends soon. See the first speakers."),
    ("Office Furniture Shop <deals@furniture.example>", "Winter sale: desks and chairs", "Up to 30% off ergonomic chairs for your office this week."),
    ("Chamber of Commerce <info@chamber.example>", "Members' bulletin December", "New regulations on e-invoicing, member events and the holiday reception."),
    ("Cloud Provider <updates@cloud.example>", "What's new in December", "New regions, cheaper storage tiers and the retirement of old instance types."),
    ("Startup Digest <digest@startups.example>", "Five reads for founders", "Hiring your first CFO, pricing pages that convert, and more."),
    ("Bank Insights <insights@bank.example>", "Market outlook 2027", "Our economists expect moderate growth and stable rates in the euro area."),
    ("Design Weekly <hi@designweekly.example>", "Issue 88: dashboards", "Great dashboards we saw this month and a guide to data tables."),
    ("Hotel Group <offers@hotels.example>", "Your member offers", "Stay two nights, get the third free at selected city hotels."),
    ("HR Tools <news@hrtools.example>", "Product update: reviews", "Our review cycles now support calibration meetings."),
    ("Local Paper <newsletter@localpaper.example>", "Morning briefing", "Traffic changes on the ring road and the new tram line opening."),
    ("Alumni Office <alumni@university.example>", "Alumni newsletter winter", "Reunion dates, a new scholarship fund and alumni in the news."),
]:
    ex = dict(news); ex["List-Id"] = "<%s>" % frm.split("@")[1].rstrip(">")
    add("newsletter", frm, subj, body + "\n\nTo stop receiving these emails, unsubscribe here.", ex)

# ---- suspect: spam and phishing
for frm, subj, body, extra in [
    ("IT Helpdesk <helpdesk@n0rthwind-support.example>", "Password expires today", "Your mailbox password expires today. Click here to verify your account or your email will be suspended.", {}),
    ("PayPal Service <service@paypa1-secure.example>", "Your account has been limited", "We noticed unusual activity. Confirm your billing details within 24 hours to restore access. Click here.", {"Reply-To": "restore@mailbox-recover.example"}),
    ("Mr. James Okon <j.okon@diplomat.example>", "URGENT BUSINESS PROPOSAL", "Dear friend, I have an inheritance of $12,500,000 USD and need a trustworthy beneficiary. Reply with your bank details!!!", {"Reply-To": "james.okon.private@freemail.example"}),
    ("CEO Office <lena.vogel@northwind-ceo.example>", "Urgent wire transfer", "I need you to process an urgent wire transfer of EUR 48,000 to a new supplier today. Keep this confidential.", {"Reply-To": "ceo.private@freemail.example"}),
    ("Lottery Board <winner@intl-lottery.example>", "YOU ARE A WINNER!!!", "Congratulations! Your email won the international lottery jackpot of 1 million dollars. Claim your prize now!", {}),
    ("Pharmacy Direct <sales@cheap-meds.example>", "Cheap meds, no prescription", "Viagra and cialis at the lowest prices. Guaranteed discreet delivery. Click here to order. Unsubscribe", {}),
    ("Crypto Profits <team@crypto-gain.example>", "Earn 5,000 a day with bitcoin", "Our guaranteed crypto system earns you cash every day. Free signup, limited places! Act now.", {}),
    ("DocuSign <dse@docu-sign-notice.example>", "Document waiting for signature", "You have a document waiting. Confirm your login details to view it. Click here to review.", {"Reply-To": "docs@collect-info.example"}),
    ("Microsoft 365 <no-reply@m365-account-alert.example>", "Unusual sign-in activity", "We detected unusual activity on your account. Verify your identity immediately or your account will be locked.", {}),
    ("Loan Center <offers@fastloans.example>", "Pre-approved loan", "You are pre-approved for a loan of $50,000 at guaranteed low rates. Refinance your debt today! Click here.", {}),
    ("Bank Security <alerts@secure-bank-verify.example>", "Account suspended", "Your account suspended due to failed login. Update your payment details to avoid closure.", {"Reply-To": "verify@bank-help-desk.example"}),
    ("Invoice Dept <ap@invoices-pending.example>", "Overdue invoice - payment required", "Your payment of $8,950 is overdue. Click here to view the invoice and wire the amount immediately.", {"Reply-To": "payments@freemail.example"}),
    ("Gift Card Rewards <rewards@giftcards-free.example>", "FREE $500 GIFT CARD", "You have been selected for a free gift card! Claim your bonus now, limited offer!!! Unsubscribe", {}),
    ("Delivery Service <track@parcel-redelivery.example>", "Your parcel could not be delivered", "Pay the redelivery fee of $1.99 to receive your parcel. Click here to confirm your details.", {}),
    ("Investment Club <club@profit-signals.example>", "Double your income this month", "Our investment signals doubled members' income. Guaranteed profit, risk free. Earn cash from home!", {}),
]:
    add("suspect", frm, subj, body, extra, to="undisclosed-recipients:;" if "lottery" in body or "crypto" in body.lower() else None)

out = []
for i, (label, frm, subject, body, extra, cc, to) in enumerate(M):
    addr = email.utils.parseaddr(frm)[1]
    date = "Thu, %02d Nov 2026 %02d:%02d:00 +0100" % (1 + i % 28, 8 + i % 10, (i * 7) % 60)
    h = [f"From {addr} Thu Nov {1 + i % 28:2d} 08:00:00 2026", f"Message-ID: <labelled-{i+1}@{addr.split('@')[1]}>", f"Date: {date}", f"From: {frm}"]
    if cc:
        h += [f"To: {to}", f"Cc: {OWNER}"]
    else:
        h += [f"To: {to or OWNER}"]
    h += [f"Subject: {subject}", "MIME-Version: 1.0", "Content-Type: text/plain; charset=utf-8"]
    h += [f"{k}: {v}" for k, v in extra.items()]
    h += [f"X-Adjutant-Label: {label}", ""]
    lines = []
    for l in body.splitlines():
        lines.append(">" + l if l.lstrip(">").startswith("From ") else l)
    out.append("\n".join(h) + "\n" + "\n".join(lines) + "\n")
sys.stdout.write("\n".join(out))
