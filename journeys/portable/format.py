"""The ``.cvj.json`` format: its name, version and limits, and its description — written once.

``FORMAT_DOC`` is shown on the import page, and the README holds it verbatim (a test compares
them), so the prose cannot drift from what the reader accepts; another test checks that every
field of the schema is named in it.
"""

from __future__ import annotations

FORMAT = "cvj-journey"
FORMAT_VERSION = 1
MAX_DOCUMENT_BYTES = 1024 * 1024
MAX_OFFERS = 100
MAX_TACTICS_PER_STAGE = 100
MAX_REACH = 2_147_483_647

FORMAT_DOC = """\
CVJ journey file — format "cvj-journey", version 1

A UTF-8 JSON object, at most 1 MB, with these keys (export writes them in this order):

  format        "cvj-journey"
  version       1
  title         the journey's title (1–200 characters)
  business      {name, industry, kind, website, notes}
                  kind is "b2c" or "b2b"; website a full URL or ""
  persona       {name, role, goals_values, pains, passions, channels, objections,
                 decision_role, awareness_level}
                  awareness_level is "unaware", "problem_aware", "solution_aware",
                  "product_aware" or ""
  offers        [{key, name, kind, price, currency, format, promise, billing_period}, …]
                  key: any short text, unique in the file, used to refer to the offer below
                  kind: lead_magnet, entry_point, core, ascension or referral
                  price: a decimal as a string, ≥ 0, at most 2 decimals ("19.00")
                  currency: a three-letter code ("USD")
                  billing_period: how often the price is paid — one_time, per_visit,
                  weekly, biweekly, monthly, quarterly or yearly; optional, export writes
                  it only for a recurring offer (left out: one_time)
                  export lists the journey's offers up the ladder: by kind, price, name
  core_offer    the key of the journey's core offer (an offer of kind "core")
  stages        {aware, engage, subscribe, convert, excite, ascend, advocate, promote}
                  all eight, each {goal, metric, target_conversion, notes, tactics, offers}
                  target_conversion: a percentage 0–100 as a string ("12.50") or null
                  tactics, in order: {"library": {"stage": slug, "name": …}, "notes": …}
                    for a tactic of the library (the global library or your agency's own;
                    matched by stage and name, ignoring case), or
                    {"custom": name, "channel": code, "notes": …} for a tactic of your own
                    (channel: social, search, paid, content, email, cro, events, partners,
                    sales, product or "")
                  offers, in order: offer keys; a stage takes only the kinds that belong
                    there: Subscribe a lead magnet, Convert an entry-point offer, Ascend the
                    core offer and ascension offers, Promote a referral incentive
  economics     {monthly_reach: whole number ≥ 0, monthly_spend: decimal string ≥ 0,
                 gross_margin: a percentage 0–100 as a string ("62.50") or null}
                  gross_margin is optional: export writes it only when given; null or
                  left out means not given (the economics then show revenue less spend
                  instead of contribution)
  team          {chose, from_team}: what the client's team took part in during the session;
                  optional, written only when there is something to say, and never imported
                  (a vote cannot be cast again): kept with the file for the record
                  chose: the team's last closed dot vote or null — {closed_at, scope (a stage
                    or "map"), votes_per_person, max_per_item, anonymous, voters, ranked:
                    [{stage, tactic, dots}, …]} with the most dots first
                  from_team: [{stage, tactic, by: [names]}, …], the tactics accepted from
                    the team's ideas and whose ideas they were

Inside business, persona, offers, stages, economics and team, text fields may be left out (they
default to empty). Unknown keys are errors, so a typo never goes unnoticed; so is a key
given twice in one object.

Import rules
  * Everything is checked first; any problem is reported by its path (for example
    "offers[2].price: must be a decimal ≥ 0") and nothing is imported.
  * Into a new client: the business is created from the file. If your agency already has a
    client with that name, the new one is called "Name (2)" (then "(3)", …).
  * Into an existing client: the file's business details are ignored; the persona is the
    client's persona of the same name if there is one, otherwise it is created; each offer
    is the client's offer with the same name and kind (preferring the same price) if there is
    one, otherwise it is created.
  * Archived library tactics are exported as custom tactics (name and channel), since the
    library no longer offers them.
"""
