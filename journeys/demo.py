"""Demo content for the seed command: one agency, one B2C client, one persona, one full journey.

Pure data, no Django imports. Library tactic names must match `stages/library.py` exactly.
"""

from __future__ import annotations

DEMO_AGENCY = {
    "name": "Northstar Growth Partners",
    "slug": "northstar",
    "paper_size": "letter",  # the demo client is American
    "brand_color": "#e8590c",
}

DEMO_BUSINESS = {
    "name": "Acme Cleaning",
    "industry": "Home services",
    "kind": "b2c",
    "website": "https://acme-cleaning.example",
    "notes": (
        "Owner-operated residential cleaning company, 14 vetted cleaners, serving suburbs "
        "within 20 miles of the office. Strong word of mouth but no system for it. Most new "
        "jobs today are one-off quotes by phone; the goal is to grow recurring biweekly "
        "clients from roughly 180 to 300 within a year."
    ),
}

DEMO_PERSONA = {
    "name": "Busy Parent Priya",
    "role": (
        "Working parent, 34-48, dual-income household with two kids and a dog, owns a "
        "3-4 bedroom home in the suburbs."
    ),
    "goals_values": (
        "Wants evenings and weekends back for family time. Values reliability, trust and a "
        "home that feels calm when she walks in, without feeling guilty about outsourcing it."
    ),
    "pains": (
        "Weekends lost to chores, arguments over who cleans, embarrassment when guests drop "
        "by. Past cleaners cancelled last minute or skipped the details."
    ),
    "passions": (
        "Her kids' sports and school events, hosting friends, weekend hikes, keeping an "
        "organised, good-looking home."
    ),
    "channels": (
        "Instagram and Facebook in the evening, Nextdoor and local parents' Facebook groups, "
        "Google Maps searches with reviews, school newsletters, recommendations from "
        "neighbours."
    ),
    "objections": (
        "Is it safe to let strangers into my home? Will they actually clean to my standard? "
        "Is it worth the money, and can I cancel if it does not work out?"
    ),
    "decision_role": (
        "Primary decision-maker and researcher; checks the price with her partner before "
        "committing to a recurring plan."
    ),
    "awareness_level": "problem_aware",
}

DEMO_OFFERS = [
    {
        "key": "guide",
        "name": "The Honest House Cleaning Price Guide",
        "kind": "lead_magnet",
        "price": "0.00",
        "currency": "USD",
        "format": "8-page PDF with a room-by-room checklist",
        "promise": (
            "Know what a fair price is for your home, what a good cleaner should include and "
            "the five questions to ask before you let anyone in."
        ),
    },
    {
        "key": "first_room",
        "name": "First-Room Deep Clean",
        "kind": "entry_point",
        "price": "19.00",
        "currency": "USD",
        "format": "One room of your choice, deep cleaned in a 90-minute visit",
        "promise": (
            "See exactly how we clean, in the room that bothers you most, for less than the "
            "cost of a takeaway dinner."
        ),
    },
    {
        "key": "biweekly",
        "name": "Biweekly Home Cleaning",
        "kind": "core",
        "price": "129.00",
        "currency": "USD",
        "billing_period": "biweekly",
        "format": "Recurring visit every two weeks, same team, cancel any time",
        "promise": (
            "A consistently clean home every other Friday, by the same trusted team, so your "
            "weekends are yours again."
        ),
    },
    {
        "key": "deep_bundle",
        "name": "Deep-Clean Add-On Bundle",
        "kind": "ascension",
        "price": "89.00",
        "currency": "USD",
        "format": "Oven, fridge, inside windows and baseboards, added to any regular visit",
        "promise": "The jobs nobody wants to do, handled in one visit twice a year.",
    },
    {
        "key": "move_out",
        "name": "Move-Out / Move-In Clean",
        "kind": "ascension",
        "price": "349.00",
        "currency": "USD",
        "format": "Top-to-bottom empty-home clean with a deposit-back checklist",
        "promise": (
            "Hand back the keys with confidence or move into a home that is spotless from day one."
        ),
    },
    {
        "key": "referral",
        "name": "Give $25, Get $25",
        "kind": "referral",
        "price": "0.00",
        "currency": "USD",
        "format": "Personal referral code on cards and in the client portal",
        "promise": (
            "Your friend gets $25 off their first regular clean and you get $25 off your next "
            "visit, every time."
        ),
    },
]

DEMO_JOURNEY = {
    "title": "Acme Cleaning: from neighbour to biweekly client",
    "core_offer": "biweekly",
    "stages": {
        "aware": {
            "goal": (
                "Get Acme's name in front of problem-aware parents in the service area, "
                "through local search and the neighbourhood feeds they already scroll."
            ),
            "metric": "Local reach (impressions in service ZIP codes)",
            "target_conversion": "12.0",
            "notes": (
                "Priya is problem-aware: she knows chores are eating her weekends but is not "
                "shopping for cleaners yet. Lead with relatable, light content, not prices."
            ),
            "tactics": [
                {
                    "library": "Local listings and maps",
                    "notes": "Refresh Google Business Profile photos monthly; add service areas.",
                },
                {
                    "library": "Paid social ads",
                    "notes": "Before/after reels to parents within 15 miles, $40/day test.",
                },
                {
                    "library": "Vehicle and signage branding",
                    "notes": "Yard signs with a QR code left at each client's home for 48 hours.",
                },
                {
                    "custom": "Nextdoor neighbourhood posts",
                    "channel": "social",
                    "notes": "Owner posts seasonal cleaning tips twice a month; no hard sell.",
                },
            ],
            "offers": [],
        },
        "engage": {
            "goal": (
                "Show that Acme is careful, thorough and trustworthy so visitors start to "
                "picture a cleaner in their own home."
            ),
            "metric": "Engaged sessions (over 60 seconds)",
            "target_conversion": "8.0",
            "notes": (
                "Trust is the main objection. Put faces, background checks and real results "
                "front and centre; the site should sell the calm Friday evening, not mops."
            ),
            "tactics": [
                {
                    "library": "Before-and-after photography",
                    "notes": "Crews photograph one room per job with client permission.",
                },
                {
                    "library": "How-to videos",
                    "notes": "60-second tips: stovetop, shower glass, pet hair. Post weekly.",
                },
                {
                    "library": "Aspirational landing pages",
                    "notes": "'Get your weekends back' page for paid social traffic.",
                },
                {
                    "library": "Comparison and alternatives pages",
                    "notes": "Acme vs. gig-app cleaners vs. doing it yourself, honest costs.",
                },
            ],
            "offers": [],
        },
        "subscribe": {
            "goal": (
                "Turn engaged visitors into email and SMS subscribers with the price guide, "
                "which answers the question every prospect has first."
            ),
            "metric": "New email subscribers",
            "target_conversion": "15.0",
            "notes": (
                "Price anxiety is the reason most visitors leave. Giving a fair-price "
                "benchmark for free builds trust and pre-qualifies the lead."
            ),
            "tactics": [
                {
                    "library": "Price or service guide",
                    "notes": "Delivered by email instantly; SMS opt-in is a checkbox.",
                },
                {
                    "library": "Opt-in forms and pop-ups",
                    "notes": "Exit-intent on pricing page; inline form after every blog post.",
                },
                {
                    "library": "Chat bot lead capture",
                    "notes": "Bot answers 'how much?' with a range and offers the full guide.",
                },
                {
                    "library": "Lead ads",
                    "notes": "Facebook lead form retargeting video viewers.",
                },
            ],
            "offers": ["guide"],
        },
        "convert": {
            "goal": (
                "Get subscribers to try Acme with low risk: one room deep cleaned for $19, "
                "booked online in under two minutes."
            ),
            "metric": "First-Room Deep Clean bookings",
            "target_conversion": "85.0",
            "notes": (
                "The $19 visit is priced to cover ad spend, not to profit. The real aim is "
                "getting a crew into the home to prove the quality."
            ),
            "tactics": [
                {
                    "library": "Tripwire offer",
                    "notes": "Offered on the guide's thank-you page and in email 2.",
                },
                {
                    "library": "Coupon or first-order discount",
                    "notes": "Email 4: 7-day code to add a second room for $10.",
                },
                {
                    "custom": "Online instant booking",
                    "channel": "cro",
                    "notes": "Calendar booking with card on file; reduces phone tag.",
                },
            ],
            "offers": ["first_room"],
        },
        "excite": {
            "goal": (
                "Make the first visit unforgettable so Priya walks into that room and "
                "immediately wants the whole house to feel that way."
            ),
            "metric": "First-visit satisfaction score (4-5 stars)",
            "target_conversion": "40.0",
            "notes": (
                "Same crew lead should handle the first regular visit if she upgrades. "
                "Any complaint gets a free re-clean within 48 hours."
            ),
            "tactics": [
                {
                    "library": "Handwritten thank-you card",
                    "notes": "Left on the counter with a small fresh-flower stem.",
                },
                {
                    "library": "Welcome email sequence",
                    "notes": "Meet your crew, what to expect, how we vet our cleaners.",
                },
                {
                    "library": "Satisfaction follow-up call",
                    "notes": "Office calls the next day; logs feedback in the CRM.",
                },
            ],
            "offers": [],
        },
        "ascend": {
            "goal": (
                "Convert first-room buyers into biweekly clients, then add deep-clean bundles "
                "and move-out cleans when life events come up."
            ),
            "metric": "Active biweekly clients",
            "target_conversion": "30.0",
            "notes": (
                "Biweekly at $129 is where the business makes its money. Offer the first "
                "regular visit with the $19 credited back if booked within 14 days."
            ),
            "tactics": [
                {
                    "library": "Core offer pitch after quick win",
                    "notes": "Follow-up call ends with the biweekly offer and the $19 credit.",
                },
                {
                    "library": "Bundles",
                    "notes": "Deep-Clean Add-On promoted at 6 months of regular service.",
                },
                {
                    "library": "Seasonal add-on campaign",
                    "notes": "Spring-clean and pre-holiday pushes to all active clients.",
                },
                {
                    "library": "Re-engagement campaign",
                    "notes": "Win-back email and SMS at 45 days without a visit.",
                },
            ],
            "offers": ["biweekly", "deep_bundle", "move_out"],
        },
        "advocate": {
            "goal": (
                "Turn satisfied regular clients into visible proof on Google and in "
                "neighbourhood groups."
            ),
            "metric": "New Google reviews per month",
            "target_conversion": "20.0",
            "notes": (
                "Ask after the third regular visit, when the routine is working. Reply to "
                "every review within a day, by name."
            ),
            "tactics": [
                {
                    "library": "Review request sequence",
                    "notes": "Email and SMS after visit 3, direct link to the Google form.",
                },
                {
                    "library": "Google review drive",
                    "notes": "Quarterly push; goal of 150 reviews at 4.8 or higher.",
                },
                {
                    "library": "NPS or satisfaction survey",
                    "notes": "Twice a year; detractors get a call from the owner.",
                },
            ],
            "offers": [],
        },
        "promote": {
            "goal": (
                "Make referrals a habit: every happy client knows about Give $25, Get $25 "
                "and has a card to pass on."
            ),
            "metric": "Referred new clients per month",
            "target_conversion": "10.0",
            "notes": (
                "Neighbours trust neighbours. Realtors and property managers are a second "
                "referral source for move-out cleans."
            ),
            "tactics": [
                {
                    "library": "Give-get referral program",
                    "notes": "Code in every receipt email and in the client portal.",
                },
                {
                    "library": "Shareable referral cards",
                    "notes": "Crews leave three cards after each visit in the first month.",
                },
                {
                    "library": "Partner referral agreements",
                    "notes": "Five local realtors; $40 per booked move-out clean.",
                },
            ],
            "offers": ["referral"],
        },
    },
}

# The action plan: by tactic name — (owner side, owner name, start in days from seeding,
# monthly budget or None, horizon, status).
DEMO_PLAN: dict[str, tuple[str, str, int, str | None, str, str]] = {
    "Local listings and maps": ("agency", "Maya (SEO)", 0, "150.00", "now", "in_progress"),
    "Paid social ads": ("agency", "Leo (paid media)", 7, "600.00", "now", "planned"),
    "Nextdoor neighbourhood posts": ("client", "Dana (owner)", 3, None, "now", "planned"),
    "Vehicle and signage branding": ("client", "Dana (owner)", 45, "250.00", "next", "planned"),
    "Before-and-after photography": ("client", "Team leads", 7, None, "now", "planned"),
    "How-to videos": ("agency", "Sam (content)", 35, "200.00", "next", "planned"),
    "Price or service guide": ("agency", "Sam (content)", 0, "300.00", "now", "in_progress"),
    "Opt-in forms and pop-ups": ("agency", "Maya (SEO)", 10, None, "now", "planned"),
    "Tripwire offer": ("client", "Dana (owner)", 14, None, "now", "planned"),
    "Online instant booking": ("agency", "Leo (paid media)", 21, "49.00", "now", "planned"),
    "Welcome email sequence": ("agency", "Sam (content)", 20, "29.00", "now", "planned"),
    "Satisfaction follow-up call": ("client", "Office manager", 30, None, "next", "planned"),
    "Core offer pitch after quick win": ("client", "Office manager", 30, None, "next", "planned"),
    "Seasonal add-on campaign": ("agency", "Sam (content)", 75, "120.00", "later", "planned"),
    "Review request sequence": ("agency", "Sam (content)", 40, None, "next", "planned"),
    "Google review drive": ("client", "Team leads", 60, None, "later", "planned"),
    "Give-get referral program": ("agency", "Leo (paid media)", 70, "100.00", "later", "planned"),
}
DEMO_PRIORITIES = ("Price or service guide", "Tripwire offer", "Welcome email sequence")
DEMO_SUMMARY = """\
Acme Cleaning wins work by word of mouth but has no system that turns a neighbour who \
notices the vans into a biweekly client. This map builds that system around one promise: \
a calm, clean home every other Friday, by the same trusted team.

In the next 30 days we launch the free price guide and the $19 first-room clean, so every \
visitor has a low-risk next step and the first visit wins back part of what it costs to reach \
them.

- Capture: the Honest House Cleaning Price Guide on every page and ad
- Convert: the $19 First-Room Deep Clean, bookable online
- Keep: a welcome sequence and a check-in call after the first visit

From month two we ask every happy client for a review and a referral, aiming to grow from \
about 180 to 300 recurring clients within a year."""
