"""Content for the Customer Value Journey: the eight stages and the global tactic library.

Pure data, no Django imports: migrations and seed commands read these lists and write rows.
"""

from __future__ import annotations

STAGES: list[dict] = [
    {
        "position": 1,
        "slug": "aware",
        "name": "Aware",
        "customer_state": (
            "A stranger notices the business for the first time and realises it has "
            "something to do with a problem they have or a thing they care about."
        ),
        "business_provides": (
            "Reach. Content and placements that inform or entertain the right people "
            "where they already spend their attention, with no ask attached."
        ),
        "analogy": "The first glance across the room: nobody proposes yet.",
        "default_metric": "Reach (impressions)",
        "suggested_minutes": 20,
    },
    {
        "position": 2,
        "slug": "engage",
        "name": "Engage",
        "customer_state": (
            "They start paying attention, consume a few pieces of content and begin to "
            "like and trust the brand."
        ),
        "business_provides": (
            "Useful, credible content that shows expertise or entertains, and a website "
            "that speaks to the better situation the customer wants to reach."
        ),
        "analogy": "Striking up a conversation and finding you have something in common.",
        "default_metric": "Engaged visitors (sessions over 1 minute)",
        "suggested_minutes": 20,
    },
    {
        "position": 3,
        "slug": "subscribe",
        "name": "Subscribe",
        "customer_state": (
            "They hand over an email address, phone number or follow in exchange for "
            "something worth having, giving permission for further contact."
        ),
        "business_provides": (
            "A lead magnet that solves a narrow problem for free, plus clear entry points "
            "such as forms, calls to action and chat that make signing up easy."
        ),
        "analogy": "Exchanging phone numbers at the end of a good conversation.",
        "default_metric": "Email subscribers",
        "suggested_minutes": 25,
    },
    {
        "position": 4,
        "slug": "convert",
        "name": "Convert",
        "customer_state": (
            "They make a first small commitment of money or time, turning from a lead "
            "into a buyer or a booked prospect."
        ),
        "business_provides": (
            "An entry-point offer with high value and low risk, priced to cover the cost "
            "of acquiring the customer rather than to make a profit."
        ),
        "analogy": "The first date: a small, low-stakes yes.",
        "default_metric": "First-time buyers (or booked meetings)",
        "suggested_minutes": 25,
    },
    {
        "position": 5,
        "slug": "excite",
        "name": "Excite",
        "customer_state": (
            "They get a quick win from the first purchase and feel confident they made "
            "the right call."
        ),
        "business_provides": (
            "A memorable first experience: fast onboarding, a pleasant surprise and "
            "follow-up that makes sure the promised value actually landed."
        ),
        "analogy": "The first date goes well, so there are more dates.",
        "default_metric": "Onboarding completion rate",
        "suggested_minutes": 15,
    },
    {
        "position": 6,
        "slug": "ascend",
        "name": "Ascend",
        "customer_state": (
            "They buy the core offer and keep coming back for more, becoming a repeat, "
            "multi-product customer."
        ),
        "business_provides": (
            "A ladder of next offers: the core offer first, then upsells, bundles, "
            "subscriptions and premium services. This is where profit is earned."
        ),
        "analogy": "Making it official and committing to the relationship.",
        "default_metric": "Repeat buyers",
        "suggested_minutes": 25,
    },
    {
        "position": 7,
        "slug": "advocate",
        "name": "Advocate",
        "customer_state": (
            "Happy customers speak well of the business when asked and are willing to "
            "put their name to it."
        ),
        "business_provides": (
            "Easy, well-timed ways to vouch: review requests, testimonial prompts, "
            "case-study interviews and feedback surveys."
        ),
        "analogy": "Telling your friends how great your partner is.",
        "default_metric": "Reviews and testimonials collected",
        "suggested_minutes": 15,
    },
    {
        "position": 8,
        "slug": "promote",
        "name": "Promote",
        "customer_state": (
            "Fans go out of their way to send new customers, recommending the business "
            "without being prompted."
        ),
        "business_provides": (
            "A simple structure and a real incentive for referrals, from give-get codes "
            "to affiliate commissions and partner programmes."
        ),
        "analogy": "Playing matchmaker and setting your single friends up.",
        "default_metric": "Referred customers",
        "suggested_minutes": 20,
    },
]


def _t(
    stage: str,
    name: str,
    channel: str,
    description: str,
    audience: str = "any",
    commitment: str = "",
) -> dict:
    return {
        "stage": stage,
        "name": name,
        "description": description,
        "channel": channel,
        "commitment": commitment,
        "audience": audience,
    }


TACTICS: list[dict] = [
    # --- 1. Aware -------------------------------------------------------------------------
    _t(
        "aware",
        "Organic social posts",
        "social",
        "Regular, native posts on the platforms the persona already uses. Lead with "
        "entertainment or a useful tip, not a sales pitch, to earn a first look.",
    ),
    _t(
        "aware",
        "Paid social ads",
        "paid",
        "Short video or image ads targeted by interest, lookalike or location. Send cold "
        "audiences to content, not to the checkout.",
    ),
    _t(
        "aware",
        "Social contest or giveaway",
        "social",
        "A prize tied to the core offer, entered by following, tagging or sharing. Widens "
        "reach fast; pick a prize that attracts buyers rather than freebie hunters.",
        audience="b2c",
    ),
    _t(
        "aware",
        "SEO for problem keywords",
        "search",
        "Optimise pages and articles for the questions people type when they first feel "
        "the pain, so the business shows up before they know any brand names.",
    ),
    _t(
        "aware",
        "Search ads (pay-per-click)",
        "paid",
        "Bid on high-intent and problem-level keywords. Point each ad group at a matching "
        "landing page and watch cost per engaged visit, not just clicks.",
    ),
    _t(
        "aware",
        "Local listings and maps",
        "search",
        "Claim and complete the Google Business Profile and local directories so nearby "
        "searchers find opening hours, photos and reviews at a glance.",
        audience="b2c",
    ),
    _t(
        "aware",
        "Newsletter sponsorship",
        "partners",
        "Buy a feature or mention in a newsletter the persona already trusts. Borrowed "
        "credibility plus a targeted list, usually cheaper than broad ads.",
    ),
    _t(
        "aware",
        "Affiliate and partner features",
        "partners",
        "Get listed or reviewed by complementary businesses, bloggers or marketplaces "
        "who already reach the same audience.",
    ),
    _t(
        "aware",
        "PR and media pitching",
        "content",
        "Pitch a story, data point or expert comment to local press, trade media or "
        "podcasts. Earned coverage builds reach and trust at the same time.",
    ),
    _t(
        "aware",
        "Trade shows and exhibitions",
        "events",
        "A booth or talk at an industry event where buyers gather. Plan a reason to stop "
        "by and a way to capture contacts before the show ends.",
        audience="b2b",
    ),
    _t(
        "aware",
        "Community events and sponsorships",
        "events",
        "Show up at local fairs, school fundraisers or meetups. Physical presence in the "
        "neighbourhood makes the name familiar before anyone needs it.",
        audience="b2c",
    ),
    _t(
        "aware",
        "Guest posts and podcast interviews",
        "content",
        "Appear on other people's blogs, channels and shows to reach their audience with "
        "genuinely helpful expertise.",
    ),
    _t(
        "aware",
        "Vehicle and signage branding",
        "events",
        "Branded vans, yard signs and storefront graphics turn every job or location into "
        "a small billboard for the neighbourhood.",
        audience="b2c",
    ),
    # --- 2. Engage ------------------------------------------------------------------------
    _t(
        "engage",
        "Educational blog posts",
        "content",
        "In-depth articles that answer the persona's real questions. Each post should end "
        "with a natural next step toward the lead magnet.",
    ),
    _t(
        "engage",
        "How-to videos",
        "content",
        "Short tutorials or behind-the-scenes clips that show competence in action. "
        "Repurpose for social, YouTube and the website.",
    ),
    _t(
        "engage",
        "Before-and-after photography",
        "social",
        "Visual proof of results. Especially persuasive where the outcome is physical, "
        "such as cleaning, renovation, fitness or design.",
        audience="b2c",
    ),
    _t(
        "engage",
        "Infographics",
        "content",
        "Turn a process, statistic or comparison into one shareable image that makes the "
        "brand look like the clear expert.",
    ),
    _t(
        "engage",
        "Interactive quiz or calculator",
        "content",
        "A quiz, assessment or savings calculator that gives a personal answer. Highly "
        "engaging and a natural bridge to the Subscribe stage.",
    ),
    _t(
        "engage",
        "Podcast episodes",
        "content",
        "A regular show that lets the audience spend long stretches of time with the "
        "brand's voice, building familiarity and trust.",
    ),
    _t(
        "engage",
        "Online community or group",
        "social",
        "A Facebook group, Slack or forum around the persona's passion where the business "
        "hosts, answers questions and connects members.",
    ),
    _t(
        "engage",
        "Aspirational landing pages",
        "cro",
        "Pages that describe the better situation the customer wants, tailored to each "
        "traffic source, instead of a generic list of services.",
    ),
    _t(
        "engage",
        "Comparison and alternatives pages",
        "search",
        "Honest pages that contrast the business with common alternatives or competitors. "
        "Ideal for solution-aware and product-aware visitors.",
    ),
    _t(
        "engage",
        "Live Q&A sessions",
        "social",
        "Regular live streams where prospects ask questions in real time. Builds trust "
        "and surfaces objections the team can address in content.",
    ),
    _t(
        "engage",
        "Helpful support conversations",
        "sales",
        "Treat every pre-sales question by phone, chat or DM as a chance to teach. Fast, "
        "generous answers build trust before any purchase.",
    ),
    _t(
        "engage",
        "Retargeting with content",
        "paid",
        "Show recent visitors their next most useful piece of content rather than a "
        "hard offer, keeping the brand top of mind.",
    ),
    # --- 3. Subscribe ---------------------------------------------------------------------
    _t(
        "subscribe",
        "Price or service guide",
        "content",
        "A downloadable guide to what things cost and what is included. Answers the "
        "question everyone has and attracts people close to buying.",
    ),
    _t(
        "subscribe",
        "Checklist or worksheet",
        "content",
        "A one-page checklist or fill-in worksheet that solves a narrow problem quickly. "
        "Cheap to produce and consistently high converting.",
    ),
    _t(
        "subscribe",
        "Ebook or free report",
        "content",
        "A deeper resource or original research on a topic the persona cares about. "
        "Works well for considered and B2B purchases.",
    ),
    _t(
        "subscribe",
        "Sample chapter or catalogue",
        "content",
        "Give away part of the product, or the full catalogue, so prospects can judge "
        "quality before they commit to anything.",
    ),
    _t(
        "subscribe",
        "Free tool or template",
        "product",
        "A calculator, planner, template or mini-app that delivers value every time it is "
        "used, with email required to save or receive results.",
    ),
    _t(
        "subscribe",
        "Registration webinar",
        "events",
        "A free online training that requires signup. Collects contacts and warms them up "
        "with an hour of demonstrated expertise.",
    ),
    _t(
        "subscribe",
        "Discount for signup",
        "email",
        "Trade a first-order discount for an email or SMS number. Simple and effective in "
        "retail and ecommerce, but watch margin and bargain hunters.",
        audience="b2c",
    ),
    _t(
        "subscribe",
        "Newsletter and blog signup",
        "email",
        "A clear promise of what subscribers will get and how often, placed in the header, "
        "footer and at the end of every article.",
    ),
    _t(
        "subscribe",
        "Opt-in forms and pop-ups",
        "cro",
        "Inline forms, exit-intent pop-ups and slide-ins offering the lead magnet. Test "
        "timing, wording and the number of fields.",
    ),
    _t(
        "subscribe",
        "Chat bot lead capture",
        "cro",
        "A website or Messenger bot that answers common questions and offers the lead "
        "magnet in exchange for contact details.",
    ),
    _t(
        "subscribe",
        "Calls to action in content",
        "cro",
        "Specific, relevant calls to action inside every post, video and episode pointing "
        "to the one lead magnet that fits that topic.",
    ),
    _t(
        "subscribe",
        "Lead ads",
        "paid",
        "Social lead-form ads that pre-fill contact details so prospects can claim the "
        "lead magnet without leaving the platform.",
    ),
    _t(
        "subscribe",
        "Text-to-join keyword",
        "email",
        "A short SMS keyword on signs, packaging or at events that subscribes people "
        "instantly from their phone.",
        audience="b2c",
    ),
    # --- 4. Convert -----------------------------------------------------------------------
    _t(
        "convert",
        "Tripwire offer",
        "cro",
        "A low-price splinter of the core offer that is almost too good to refuse. Its "
        "job is to turn a lead into a buyer and cover acquisition cost.",
        commitment="money",
    ),
    _t(
        "convert",
        "Free trial",
        "product",
        "Full or limited access for a fixed period. Pair it with strong onboarding so "
        "trial users reach the moment of value before it ends.",
        commitment="money",
    ),
    _t(
        "convert",
        "Coupon or first-order discount",
        "email",
        "A time-limited coupon sent to new subscribers to make the first purchase an easy "
        "decision. Keep it on the entry offer, not the whole catalogue.",
        commitment="money",
        audience="b2c",
    ),
    _t(
        "convert",
        "Free plus shipping",
        "cro",
        "Give a physical product away and charge only for delivery. The buyer enters the "
        "payment details that make the next purchase effortless.",
        commitment="money",
        audience="b2c",
    ),
    _t(
        "convert",
        "Free gift with purchase",
        "cro",
        "Add a bonus item or service to a small first order so it feels like an obvious bargain.",
        commitment="money",
        audience="b2c",
    ),
    _t(
        "convert",
        "Paid pilot or starter package",
        "sales",
        "A small, scoped first engagement at a modest fee that proves value before the "
        "full contract.",
        commitment="money",
        audience="b2b",
    ),
    _t(
        "convert",
        "Product demo",
        "sales",
        "A tailored walkthrough showing how the product solves this prospect's problem. "
        "The standard first commitment in software and B2B sales.",
        commitment="time",
        audience="b2b",
    ),
    _t(
        "convert",
        "Free consultation or assessment",
        "sales",
        "A short call or on-site visit that diagnoses the problem and recommends a plan. "
        "Give real advice so it feels valuable whether or not they buy.",
        commitment="time",
    ),
    _t(
        "convert",
        "Live webinar with offer",
        "events",
        "A teaching session for subscribers that ends with a clear, time-limited entry "
        "offer. Attendance itself is a meaningful commitment of time.",
        commitment="time",
    ),
    _t(
        "convert",
        "Lunch & learn",
        "events",
        "Bring lunch and a short, useful presentation to a prospect's team. Builds "
        "relationships with several decision-makers at once.",
        commitment="time",
        audience="b2b",
    ),
    _t(
        "convert",
        "Site or facility tour",
        "events",
        "Invite prospects to see the operation, showroom or studio in person. Seeing the "
        "work up close removes a lot of doubt.",
        commitment="time",
    ),
    _t(
        "convert",
        "Sales meeting",
        "sales",
        "A scheduled discovery meeting with a qualified lead to understand needs and "
        "propose a first step. Track meetings held, not just booked.",
        commitment="time",
        audience="b2b",
    ),
    # --- 5. Excite ------------------------------------------------------------------------
    _t(
        "excite",
        "Quick-start guide",
        "content",
        "A short guide that gets the new customer to a first result fast. Focus on one win, "
        "not every feature.",
    ),
    _t(
        "excite",
        "Welcome email sequence",
        "email",
        "Three to five emails after the first purchase that set expectations, introduce "
        "the team and point to the quickest win.",
    ),
    _t(
        "excite",
        "Surprise bonus or gift",
        "product",
        "An unannounced extra, such as a bonus resource, small gift or upgrade, that makes "
        "the first purchase feel better than expected.",
    ),
    _t(
        "excite",
        "Handwritten thank-you card",
        "sales",
        "A personal note in the mail or left on site. Costs little, gets remembered, and "
        "often ends up photographed and shared.",
        audience="b2c",
    ),
    _t(
        "excite",
        "Personal video message",
        "email",
        "A short, personal video from the owner or account manager thanking the customer "
        "by name and explaining what happens next.",
    ),
    _t(
        "excite",
        "Sample in the mail",
        "product",
        "Post a physical sample of another product after the first order. Delights the "
        "customer and seeds the next purchase.",
        audience="b2c",
    ),
    _t(
        "excite",
        "Onboarding call or session",
        "sales",
        "A scheduled kickoff that sets up the account, agrees goals and removes early "
        "friction before it turns into regret.",
    ),
    _t(
        "excite",
        "Little-victory check-ins",
        "email",
        "Timed messages that celebrate progress and ask whether the first result arrived, "
        "catching problems while they are still small.",
    ),
    _t(
        "excite",
        "In-product onboarding",
        "product",
        "Tooltips, checklists and empty states that guide new users to the first moment of "
        "value without reading a manual.",
    ),
    _t(
        "excite",
        "Satisfaction follow-up call",
        "sales",
        "A quick call a day or two after delivery to confirm everything met expectations "
        "and to fix anything that did not.",
    ),
    _t(
        "excite",
        "Welcome kit",
        "product",
        "A branded box or digital pack with essentials, contacts and a small treat that "
        "makes the start of the relationship feel like an event.",
    ),
    # --- 6. Ascend ------------------------------------------------------------------------
    _t(
        "ascend",
        "Core offer pitch after quick win",
        "sales",
        "Present the core offer right after the customer has felt the entry offer's value, "
        "while satisfaction and trust are at their peak.",
    ),
    _t(
        "ascend",
        "Upsell at checkout",
        "cro",
        "A relevant, one-click add-on offered at the moment of purchase. Keep it "
        "complementary and priced well below the main item.",
    ),
    _t(
        "ascend",
        "Cross-sell recommendations",
        "product",
        "Suggest related products or services based on what the customer already bought, "
        "on-site, in the account area or by email.",
    ),
    _t(
        "ascend",
        "Bundles",
        "cro",
        "Package complementary products or services at a combined price that beats buying "
        "them separately.",
    ),
    _t(
        "ascend",
        "Subscription or membership upgrade",
        "product",
        "Turn one-off purchases into recurring revenue with a subscription, membership or "
        "higher plan that adds convenience or status.",
    ),
    _t(
        "ascend",
        "Done-for-you premium service",
        "sales",
        "A high-touch tier where the business does the work for the customer. Usually the "
        "top rung of the ascension ladder.",
    ),
    _t(
        "ascend",
        "Marketing automation sequences",
        "email",
        "Behaviour-triggered emails and SMS that present the next logical offer based on "
        "purchases, usage and time since the last order.",
    ),
    _t(
        "ascend",
        "Re-engagement campaign",
        "email",
        "Win-back messages with a reason to return for customers who have gone quiet, "
        "before they lapse for good.",
    ),
    _t(
        "ascend",
        "Sales follow-up",
        "sales",
        "Account managers proactively review results with the customer and propose the "
        "next engagement, expansion or renewal.",
        audience="b2b",
    ),
    _t(
        "ascend",
        "Joint-venture offers",
        "partners",
        "Promote a trusted partner's product to the customer base for a revenue share, "
        "extending the ladder without building a new product.",
    ),
    _t(
        "ascend",
        "Seasonal add-on campaign",
        "email",
        "Time-bound offers tied to the calendar, such as spring, holidays or year end, "
        "that give existing customers a natural reason to buy more.",
        audience="b2c",
    ),
    # --- 7. Advocate ----------------------------------------------------------------------
    _t(
        "advocate",
        "Review request sequence",
        "email",
        "Ask for a review about a week after delivery, once the value has been felt. Link "
        "straight to the review form and follow up once.",
    ),
    _t(
        "advocate",
        "Google review drive",
        "search",
        "A focused effort to grow the count and freshness of Google reviews, which lift "
        "local search rankings and click-through.",
        audience="b2c",
    ),
    _t(
        "advocate",
        "Review site profiles",
        "search",
        "Maintain profiles on the review sites that matter in the niche, such as Yelp, "
        "Trustpilot, G2 or Capterra, and reply to every review.",
    ),
    _t(
        "advocate",
        "Video testimonials",
        "content",
        "Record short customer stories on a phone or in a simple interview. Let the "
        "customer describe the before, the after and the doubts they had.",
    ),
    _t(
        "advocate",
        "Written testimonials",
        "content",
        "Collect quotes with a name and photo and place them next to the offers and on the "
        "pages where prospects hesitate.",
    ),
    _t(
        "advocate",
        "Case studies",
        "content",
        "Detailed problem, solution and result stories with numbers. The most persuasive "
        "proof in considered and B2B purchases.",
        audience="b2b",
    ),
    _t(
        "advocate",
        "NPS or satisfaction survey",
        "email",
        "A short survey that measures satisfaction, flags unhappy customers for rescue and "
        "invites promoters to leave a public review.",
    ),
    _t(
        "advocate",
        "Branded hashtag and reposts",
        "social",
        "Encourage customers to post with a hashtag or tag, and reshare their content with "
        "thanks. Social proof created by customers.",
        audience="b2c",
    ),
    _t(
        "advocate",
        "Customer spotlight feature",
        "content",
        "Profile a customer in the newsletter, blog or social feed. Rewards loyalty and "
        "shows prospects real people like them.",
    ),
    _t(
        "advocate",
        "In-person review ask",
        "sales",
        "Train staff to ask for a review at the moment of delight, with a QR code or card "
        "that makes it a ten-second job.",
    ),
    # --- 8. Promote -----------------------------------------------------------------------
    _t(
        "promote",
        "Give-get referral program",
        "email",
        "Both the referrer and the new customer receive a reward, such as credit or a "
        "discount. Easy to explain and easy to feel good about.",
    ),
    _t(
        "promote",
        "Friends and family codes",
        "email",
        "Personal codes customers can hand out to people they care about, with a perk for "
        "the recipient and recognition for the sender.",
        audience="b2c",
    ),
    _t(
        "promote",
        "Affiliate commissions",
        "partners",
        "Pay creators, bloggers and other businesses a percentage on the sales they send, "
        "tracked with links or codes.",
    ),
    _t(
        "promote",
        "Partner referral agreements",
        "partners",
        "Formal referral arrangements with complementary businesses that serve the same "
        "customer at a different moment.",
    ),
    _t(
        "promote",
        "Certification or reseller program",
        "partners",
        "Train and certify consultants or resellers to implement and sell the offer, "
        "turning experts into a distribution channel.",
        audience="b2b",
    ),
    _t(
        "promote",
        "Ambassador program",
        "social",
        "Recruit the most enthusiastic customers as ambassadors with perks, early access "
        "and content to share.",
    ),
    _t(
        "promote",
        "Referral contest",
        "social",
        "A time-limited competition where the customers who refer the most win a "
        "standout prize. Good for a quick burst of referrals.",
        audience="b2c",
    ),
    _t(
        "promote",
        "Customer appreciation event",
        "events",
        "A party, workshop or dinner for customers where each can bring a guest who is not "
        "a customer yet.",
    ),
    _t(
        "promote",
        "Sponsorships",
        "events",
        "Sponsor teams, clubs or causes that loyal customers belong to, giving them a "
        "reason to introduce the business to their circles.",
    ),
    _t(
        "promote",
        "Shareable referral cards",
        "sales",
        "Printed or digital cards left after each job or delivery that customers can pass "
        "on, each carrying a trackable offer.",
        audience="b2c",
    ),
    _t(
        "promote",
        "Introductions ask",
        "sales",
        "At a high point in the relationship, ask directly who else would benefit and "
        "offer to make the introduction easy.",
        audience="b2b",
    ),
]
