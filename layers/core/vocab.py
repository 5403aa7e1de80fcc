"""Controlled vocabularies: the codes stored in the database and the words people read.

Check constraints in the schema are built from these mappings, so the database and the UI can never
disagree about what a valid code is.
"""

from __future__ import annotations

import pandas as pd

SECTORS: dict[str, str] = {
    "13": "Textiles (SIC 13)",
    "14": "Wearing apparel (SIC 14)",
    "15": "Leather and footwear (SIC 15)",
    "46.41": "Wholesale of textiles (SIC 46.41)",
    "46.42": "Wholesale of clothing and footwear (SIC 46.42)",
}

ACTIVITIES: dict[str, str] = {
    "cmt": "Cut, make and trim",
    "knitting": "Knitting",
    "dyeing_finishing": "Dyeing and finishing",
    "printing": "Printing",
    "embroidery": "Embroidery",
    "wholesale": "Wholesale",
    "other": "Other",
}

BUSINESS_STATUSES: dict[str, str] = {
    "active": "Active",
    "dormant": "Dormant",
    "ceased": "Ceased trading",
    "moved_away": "Moved out of the area",
    "dissolved": "Gone from the Companies House register",
    "archived": "Archived",
}

LOCATION_PRECISIONS: dict[str, str] = {
    "address": "Address point",
    "postcode": "Postcode centroid",
    "postcode_sector": "Postcode sector centroid (approximate)",
    "manual": "Placed by hand",
    "approximate": "Approximate",
}

SOURCES: dict[str, str] = {
    "companies_register": "Companies register",
    "visits": "Visits",
    "reports": "Intelligence reports",
    "business_support": "Business support programme",
    "rates": "Business rates",
    "open_supply_hub": "Open Supply Hub (facilities disclosed by brands)",
    "other": "Other imported list",
}

AGENCIES: dict[str, str] = {
    "GLAA": "Gangmasters and Labour Abuse Authority",
    "HMRC": "HM Revenue and Customs",
    "HSE": "Health and Safety Executive",
    "EAS": "Employment Agency Standards Inspectorate",
    "POLICE": "Leicestershire Police",
    "IE": "Immigration Enforcement",
    "NCA": "National Crime Agency",
    "COUNCIL": "Leicester City Council",
    "VCS": "Voluntary and community sector partner",
    "OTHER": "Other",
}

AGENCY_KINDS: dict[str, str] = {
    "enforcement": "Enforcement agency",
    "council": "Council",
    "partner": "Partner organisation",
}

ROLES: dict[str, str] = {
    "viewer": "Viewer (aggregates only)",
    "partner": "Partner",
    "officer": "Officer",
    "analyst": "Analyst",
    "planner": "Planner",
    "admin": "Administrator",
}

VISIT_TYPES: dict[str, str] = {
    "joint_inspection": "Joint inspection",
    "business_support": "Business support",
    "compliance_check": "Compliance check",
    "follow_up": "Follow-up",
    "intelligence_gathering": "Intelligence gathering",
}

VISIT_OUTCOMES: dict[str, str] = {
    "no_issues": "No issues",
    "advice": "Advice given",
    "referral": "Referral to an agency",
    "enforcement": "Enforcement action",
    "exploitation_indicators": "Indicators of exploitation found",
    "no_access": "No access",
}

REPORT_SOURCE_TYPES: dict[str, str] = {
    "anonymous_line": "Anonymous line",
    "charity": "Charity",
    "advice_service": "Advice service",
    "retailer_audit": "Retailer audit",
    "agency": "Partner agency",
    "public": "Member of the public",
}

REPORT_CATEGORIES: dict[str, str] = {
    "minimum_wage": "National minimum wage",
    "holiday_pay": "Holiday pay",
    "health_safety": "Health and safety",
    "modern_slavery": "Forced labour / modern slavery",
    "illegal_working": "Illegal working",
    "tax_fraud": "Tax / VAT fraud",
    "accommodation": "Accommodation",
    "other": "Other",
}

SOURCE_EVALUATIONS: dict[str, str] = {
    "1": "1 - Reliable",
    "2": "2 - Untested",
    "3": "3 - Not reliable",
}

INTELLIGENCE_ASSESSMENTS: dict[str, str] = {
    "A": "A - Known directly to the source",
    "B": "B - Known indirectly to the source but corroborated",
    "C": "C - Known indirectly to the source",
    "D": "D - Not known",
    "E": "E - Suspected to be false",
}

HANDLING_CODES: dict[str, str] = {
    "P": "P - Lawful sharing permitted",
    "C": "C - Lawful sharing permitted with conditions",
}

REPORT_STATUSES: dict[str, str] = {
    "new": "New",
    "triaged": "Triaged",
    "actioned": "Actioned",
    "closed": "Closed",
}

BOUNDARY_KINDS: dict[str, str] = {
    "district": "District",
    "ward": "Ward",
    "msoa": "MSOA",
    "lsoa": "LSOA",
}

PRIORITIES: dict[str, str] = {"high": "High", "medium": "Medium", "low": "Low"}

AUDIT_ACTIONS: dict[str, str] = {
    "login": "Login",
    "login_failed": "Failed login",
    "lockout": "Sign-in locked",
    "logout": "Logout",
    "view_restricted": "Viewed restricted intelligence",
    "denied": "Access denied",
    "export": "Export",
    "create": "Create",
    "edit": "Edit",
    "archive": "Archive",
    "delete": "Delete",
    "import": "Import",
    "grant": "Clearance granted",
    "revoke": "Clearance revoked",
    "password": "Password set",
    "review": "Report reviewed",
    "dispose": "Report disposed of",
    "disclose": "Disclosure bundle",
}

REFERRAL_STATUSES: dict[str, str] = {
    "sent": "Sent",
    "accepted": "Accepted",
    "declined": "Declined",
    "closed": "Closed",
}


def labelled(frame: pd.DataFrame, **vocabularies: dict[str, str]) -> pd.DataFrame:
    """A copy of ``frame`` with the codes of each named column replaced by their labels."""
    return frame.assign(
        **{column: frame[column].map(words) for column, words in vocabularies.items()}
    )


def sql_in(column: str, codes: dict[str, str] | tuple[str, ...]) -> str:
    """A check-constraint expression ``column IN (...)`` over a vocabulary's codes.

    The codes are constants defined in this module, never user input.
    """
    quoted = ", ".join("'" + code.replace("'", "''") + "'" for code in codes)
    return f"{column} IN ({quoted})"


def sql_subset(column: str, codes: dict[str, str]) -> str:
    """A check-constraint expression: every element of array ``column`` is one of ``codes``."""
    quoted = ", ".join("'" + code.replace("'", "''") + "'" for code in codes)
    return f"{column}::text[] <@ ARRAY[{quoted}]::text[]"


#: What each code of the 3x5x2 grading means, shown where the code is chosen.
GRADING_HELP: dict[str, dict[str, str]] = {
    "source_evaluation": {
        "1": "Reliable: no doubt about the source's authenticity, trustworthiness and "
        "competence, or a history of complete reliability.",
        "2": "Untested: the source has not been used before, or its reliability cannot be judged.",
        "3": "Not reliable: there are doubts about the source's authenticity, trustworthiness "
        "or competence; treat with caution.",
    },
    "intelligence_assessment": {
        "A": "Known directly to the source: seen or heard first-hand.",
        "B": "Known indirectly to the source, but corroborated by other information.",
        "C": "Known indirectly to the source (hearsay), not corroborated.",
        "D": "Not known: the source cannot say how the information is known.",
        "E": "Suspected to be false or malicious.",
    },
    "handling_code": {
        "P": "Lawful sharing permitted: any partner with a lawful purpose may read and share it.",
        "C": "Lawful sharing permitted with conditions: write the conditions. Only your agency "
        "and people cleared for it may read it here; others see only that it exists.",
    },
}
