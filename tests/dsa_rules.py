"""The EU DSA Transparency Database's validation of one statement of reasons,
transcribed for the tests (not imported from modtool: the test checks modtool's
output against the database's own rules, not against itself).

Source: github.com/digital-services-act/transparency-database at commit
69e80a0bc8eb3cbfbe8246e898194c3bdf490a4b: ``app/Http/Requests/StatementStoreRequest.php``
(``rules()``: required fields, conditions, maximum lengths, date formats and
bounds, the puid pattern) and ``app/Models/Statement.php`` (the value sets: the
array keys are what the API takes). Only what a statement about a comment can
hold is transcribed in full; fields modtool never writes are still known by
name so an unknown field is caught.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

DECISION_VISIBILITIES = {
    "DECISION_VISIBILITY_CONTENT_REMOVED",
    "DECISION_VISIBILITY_CONTENT_DISABLED",
    "DECISION_VISIBILITY_CONTENT_DEMOTED",
    "DECISION_VISIBILITY_CONTENT_AGE_RESTRICTED",
    "DECISION_VISIBILITY_CONTENT_INTERACTION_RESTRICTED",
    "DECISION_VISIBILITY_CONTENT_LABELLED",
    "DECISION_VISIBILITY_OTHER",
}
DECISION_GROUNDS = {"DECISION_GROUND_ILLEGAL_CONTENT", "DECISION_GROUND_INCOMPATIBLE_CONTENT"}
CONTENT_TYPES = {
    "CONTENT_TYPE_APP",
    "CONTENT_TYPE_AUDIO",
    "CONTENT_TYPE_IMAGE",
    "CONTENT_TYPE_PRODUCT",
    "CONTENT_TYPE_SYNTHETIC_MEDIA",
    "CONTENT_TYPE_TEXT",
    "CONTENT_TYPE_VIDEO",
    "CONTENT_TYPE_OTHER",
}
STATEMENT_CATEGORIES = {
    "STATEMENT_CATEGORY_ANIMAL_WELFARE",
    "STATEMENT_CATEGORY_CONSUMER_INFORMATION",
    "STATEMENT_CATEGORY_CYBER_VIOLENCE",
    "STATEMENT_CATEGORY_CYBER_VIOLENCE_AGAINST_WOMEN",
    "STATEMENT_CATEGORY_DATA_PROTECTION_AND_PRIVACY_VIOLATIONS",
    "STATEMENT_CATEGORY_ILLEGAL_OR_HARMFUL_SPEECH",
    "STATEMENT_CATEGORY_INTELLECTUAL_PROPERTY_INFRINGEMENTS",
    "STATEMENT_CATEGORY_NEGATIVE_EFFECTS_ON_CIVIC_DISCOURSE_OR_ELECTIONS",
    "STATEMENT_CATEGORY_NOT_SPECIFIED_NOTICE",
    "STATEMENT_CATEGORY_OTHER_VIOLATION_TC",
    "STATEMENT_CATEGORY_PROTECTION_OF_MINORS",
    "STATEMENT_CATEGORY_RISK_FOR_PUBLIC_SECURITY",
    "STATEMENT_CATEGORY_SCAMS_AND_FRAUD",
    "STATEMENT_CATEGORY_SELF_HARM",
    "STATEMENT_CATEGORY_UNSAFE_AND_PROHIBITED_PRODUCTS",
    "STATEMENT_CATEGORY_VIOLENCE",
}
KEYWORDS = set(
    """KEYWORD_ADULT_SEXUAL_MATERIAL KEYWORD_AGE_SPECIFIC_RESTRICTIONS
    KEYWORD_AGE_SPECIFIC_RESTRICTIONS_MINORS KEYWORD_ANIMAL_HARM KEYWORD_BIOMETRIC_DATA_BREACH
    KEYWORD_BULLYING_AGAINST_GIRLS KEYWORD_CHILD_SEXUAL_ABUSE_MATERIAL
    KEYWORD_CHILD_SEXUAL_ABUSE_MATERIAL_DEEPFAKE KEYWORD_CONTENT_PROMOTING_EATING_DISORDERS
    KEYWORD_COORDINATED_HARM KEYWORD_COPYRIGHT_INFRINGEMENT KEYWORD_CYBER_BULLYING_INTIMIDATION
    KEYWORD_CYBER_HARASSMENT KEYWORD_CYBER_HARASSMENT_AGAINST_WOMEN KEYWORD_CYBER_INCITEMENT
    KEYWORD_CYBER_STALKING KEYWORD_CYBER_STALKING_AGAINST_WOMEN KEYWORD_DATA_FALSIFICATION
    KEYWORD_DEFAMATION KEYWORD_DESIGN_INFRINGEMENT KEYWORD_DISCRIMINATION
    KEYWORD_FEMALE_GENDERED_DISINFORMATION KEYWORD_GEOGRAPHIC_INDICATIONS_INFRINGEMENT
    KEYWORD_GEOGRAPHICAL_REQUIREMENTS KEYWORD_GOODS_SERVICES_NOT_PERMITTED
    KEYWORD_GROOMING_SEXUAL_ENTICEMENT_MINORS KEYWORD_HATE_SPEECH KEYWORD_HIDDEN_ADVERTISEMENT
    KEYWORD_HUMAN_EXPLOITATION KEYWORD_HUMAN_TRAFFICKING KEYWORD_ILLEGAL_ORGANIZATIONS
    KEYWORD_IMPERSONATION_ACCOUNT_HIJACKING KEYWORD_INAUTHENTIC_ACCOUNTS
    KEYWORD_INAUTHENTIC_LISTINGS KEYWORD_INAUTHENTIC_USER_REVIEWS
    KEYWORD_INCITEMENT_AGAINST_WOMEN KEYWORD_INCITEMENT_VIOLENCE_HATRED
    KEYWORD_INSUFFICIENT_INFORMATION_ON_TRADERS KEYWORD_LANGUAGE_REQUIREMENTS
    KEYWORD_MISINFORMATION_DISINFORMATION KEYWORD_MISLEADING_INFO_CONSUMER_RIGHTS
    KEYWORD_MISLEADING_INFO_GOODS_SERVICES KEYWORD_MISSING_PROCESSING_GROUND
    KEYWORD_NON_CONSENSUAL_IMAGE_SHARING KEYWORD_NON_CONSENSUAL_IMAGE_SHARING_AGAINST_WOMEN
    KEYWORD_NON_CONSENSUAL_MATERIAL_DEEPFAKE KEYWORD_NON_CONSENSUAL_MATERIAL_DEEPFAKE_AGAINST_WOMEN
    KEYWORD_NONCOMPLIANCE_PRICING KEYWORD_NUDITY KEYWORD_PATENT_INFRINGEMENT KEYWORD_PHISHING
    KEYWORD_PROHIBITED_PRODUCTS KEYWORD_PYRAMID_SCHEMES KEYWORD_RIGHT_TO_BE_FORGOTTEN
    KEYWORD_RISK_ENVIRONMENTAL_DAMAGE KEYWORD_RISK_PUBLIC_HEALTH KEYWORD_SELF_MUTILATION
    KEYWORD_STALKING KEYWORD_SUICIDE KEYWORD_TERRORIST_CONTENT
    KEYWORD_TRADE_SECRET_INFRINGEMENT KEYWORD_TRADEMARK_INFRINGEMENT
    KEYWORD_TRAFFICKING_WOMEN_GIRLS KEYWORD_UNLAWFUL_SALE_ANIMALS KEYWORD_UNSAFE_CHALLENGES
    KEYWORD_UNSAFE_PRODUCTS KEYWORD_VIOLATION_EU_LAW KEYWORD_VIOLATION_NATIONAL_LAW
    KEYWORD_OTHER""".split()  # noqa: SIM905 - as the PHP lists them, one name after another
)
SOURCE_TYPES = {
    "SOURCE_ARTICLE_16",
    "SOURCE_TRUSTED_FLAGGER",
    "SOURCE_TYPE_OTHER_NOTIFICATION",
    "SOURCE_VOLUNTARY",
}
AUTOMATED_DETECTIONS = {"Yes", "No"}
AUTOMATED_DECISIONS = {
    "AUTOMATED_DECISION_FULLY",
    "AUTOMATED_DECISION_PARTIALLY",
    "AUTOMATED_DECISION_NOT_AUTOMATED",
}
FIELDS = {
    "content_id", "content_id_ean", "decision_visibility", "decision_visibility_other",
    "decision_monetary", "decision_monetary_other", "decision_provision", "decision_account",
    "account_type", "category_specification", "category_specification_other",
    "decision_ground", "decision_ground_reference_url", "illegal_content_legal_ground",
    "illegal_content_explanation", "incompatible_content_ground",
    "incompatible_content_explanation", "incompatible_content_illegal", "content_type",
    "content_type_other", "category", "category_addition", "territorial_scope",
    "content_language", "content_date", "application_date", "end_date_account_restriction",
    "end_date_monetary_restriction", "end_date_service_restriction",
    "end_date_visibility_restriction", "decision_facts", "source_type", "source_identity",
    "automated_detection", "automated_decision", "puid",
}  # fmt: skip
REQUIRED = (
    "decision_ground",
    "content_type",
    "category",
    "content_date",
    "application_date",
    "decision_facts",
    "source_type",
    "automated_detection",
    "automated_decision",
    "puid",
)
MAX = {
    "decision_visibility_other": 500,
    "category_specification_other": 500,
    "decision_ground_reference_url": 500,
    "illegal_content_legal_ground": 500,
    "illegal_content_explanation": 2000,
    "incompatible_content_ground": 500,
    "incompatible_content_explanation": 2000,
    "content_type_other": 500,
    "decision_facts": 5000,
    "source_identity": 500,
    "puid": 500,
}
PUID = re.compile(r"^[a-zA-Z0-9-_]+\Z")
DAY = re.compile(r"^\d{4}-\d{2}-\d{2}\Z")


def problems(s: dict[str, Any]) -> list[str]:
    """Every rule of StatementStoreRequest::rules() the statement breaks (empty: valid)."""
    found = [f"unknown field {k}" for k in s if k not in FIELDS]
    found += [f"{k} is required" for k in REQUIRED if s.get(k) in (None, "", [])]
    if not any(
        s.get(k)
        for k in (
            "decision_visibility",
            "decision_monetary",
            "decision_provision",
            "decision_account",
        )
    ):
        found.append("decision_visibility is required without monetary, provision, account")

    def one_of(key: str, allowed: set[str]) -> None:
        if key in s and s[key] is not None and s[key] not in allowed:
            found.append(f"{key} {s[key]!r} is not allowed")

    def all_of(key: str, allowed: set[str]) -> None:
        if key in s and s[key] is not None:
            if not isinstance(s[key], list):
                found.append(f"{key} must be an array")
            else:
                found.extend(f"{key} {v!r} is not allowed" for v in s[key] if v not in allowed)

    all_of("decision_visibility", DECISION_VISIBILITIES)
    all_of("content_type", CONTENT_TYPES)
    all_of("category_addition", STATEMENT_CATEGORIES)
    all_of("category_specification", KEYWORDS)
    one_of("decision_ground", DECISION_GROUNDS)
    one_of("category", STATEMENT_CATEGORIES)
    one_of("source_type", SOURCE_TYPES)
    one_of("automated_detection", AUTOMATED_DETECTIONS)
    one_of("automated_decision", AUTOMATED_DECISIONS)
    one_of("incompatible_content_illegal", {"Yes", "No"})
    for key, limit in MAX.items():
        if isinstance(s.get(key), str) and len(s[key]) > limit:
            found.append(f"{key} is longer than {limit}")
    incompatible = s.get("decision_ground") == "DECISION_GROUND_INCOMPATIBLE_CONTENT"
    illegal = s.get("decision_ground") == "DECISION_GROUND_ILLEGAL_CONTENT"
    for key in ("incompatible_content_ground", "incompatible_content_explanation"):
        if incompatible and not s.get(key):
            found.append(f"{key} is required for incompatible content")
    for key in ("illegal_content_legal_ground", "illegal_content_explanation"):
        if illegal and not s.get(key):
            found.append(f"{key} is required for illegal content")
        if not illegal and key in s:
            found.append(f"{key} is only for illegal content")
    if "DECISION_VISIBILITY_OTHER" in (s.get("decision_visibility") or []) and not s.get(
        "decision_visibility_other"
    ):
        found.append("decision_visibility_other is required")
    if "CONTENT_TYPE_OTHER" in (s.get("content_type") or []) and not s.get("content_type_other"):
        found.append("content_type_other is required")
    if s.get("source_type") == "SOURCE_VOLUNTARY" and "source_identity" in s:
        found.append("source_identity is excluded for voluntary decisions")
    for key, first in (("content_date", "2000-01-01"), ("application_date", "2020-01-01")):
        value = s.get(key)
        if not isinstance(value, str) or not DAY.match(value):
            found.append(f"{key} is not Y-m-d")
            continue
        try:
            day = date.fromisoformat(value)
        except ValueError:
            found.append(f"{key} is not a date")
            continue
        if not date.fromisoformat(first) <= day <= date(2038, 1, 1):
            found.append(f"{key} is out of bounds")
    if not isinstance(s.get("puid"), str) or not PUID.match(s["puid"]):
        found.append("puid format is invalid")
    if "decision_ground_reference_url" in s and not re.match(
        r"^https?://[^\s/$.?#].[^\s]*$", str(s["decision_ground_reference_url"])
    ):
        found.append("decision_ground_reference_url is not a url")
    return found
