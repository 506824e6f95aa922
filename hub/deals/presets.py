"""Column names of the CRM exports Hub knows, and the Hub fields a CSV column can map to."""

from __future__ import annotations

# (key, label); name is required; without a CRM id column, deals are matched by name
TARGETS = (
    ("crm_id", "CRM id"),
    ("name", "Deal name"),
    ("account", "Account"),
    ("amount", "Amount"),
    ("currency", "Currency"),
    ("owner", "Owner (email or name)"),
    ("crm_stage", "CRM stage"),
    ("status", "Status (open, won, lost)"),
    ("won", "Won flag"),
    ("closed", "Closed flag"),
    ("created_on", "Created date"),
    ("closed_on", "Close date"),
    ("persona", "Primary persona"),
    ("stage", "Buyer-journey stage"),
)
TARGET_KEYS = tuple(key for key, _label in TARGETS)
REQUIRED = ("name",)

# header names as the CRMs export them; the first one found wins
PRESETS: dict[str, dict[str, tuple[str, ...]]] = {
    "salesforce": {
        "crm_id": ("Opportunity ID", "Opportunity Id", "Id"),
        "name": ("Opportunity Name",),
        "account": ("Account Name",),
        "amount": ("Amount",),
        "currency": ("Opportunity Currency", "Currency", "Amount Currency"),
        "owner": ("Opportunity Owner Email", "Owner Email", "Opportunity Owner", "Owner Name"),
        "crm_stage": ("Stage",),
        "won": ("Won",),
        "closed": ("Closed",),
        "created_on": ("Created Date",),
        "closed_on": ("Close Date",),
        "persona": ("Primary Persona", "Persona"),
        "stage": ("Buyer Stage", "Buyer Journey Stage"),
    },
    "hubspot": {
        "crm_id": ("Record ID", "Deal ID"),
        "name": ("Deal Name",),
        "account": ("Associated Company", "Associated Company (Primary)", "Company Name"),
        "amount": ("Amount", "Amount in company currency"),
        "currency": ("Currency", "Deal Currency Code"),
        "owner": ("Deal owner email", "Deal owner", "HubSpot Owner"),
        "crm_stage": ("Deal Stage",),
        "won": ("Is Closed Won",),
        "closed": ("Is Deal Closed?", "Is Closed"),
        "created_on": ("Create Date",),
        "closed_on": ("Close Date",),
        "persona": ("Primary Persona", "Persona", "Buyer Persona"),
        "stage": ("Buyer Stage", "Buyer Journey Stage"),
    },
}
PRESET_LABELS = {"salesforce": "Salesforce opportunity export", "hubspot": "HubSpot deals export"}
# a report exported from Salesforce has no id column unless someone added it
SIGNATURES = {
    "salesforce": ("opportunity name",),
    "hubspot": ("deal name", "deal stage"),
}
# Salesforce exports numeric dates in the US short format unless the org's locale says otherwise
PRESET_DATE_DEFAULT = {"salesforce": "mdy", "hubspot": "mdy", "": "mdy"}
GENERIC = {
    "crm_id": ("crm id", "id", "deal id", "external id"),
    "name": ("name", "deal", "deal name", "opportunity"),
    "account": ("account", "company", "customer"),
    "amount": ("amount", "value", "deal value"),
    "currency": ("currency",),
    "owner": ("owner", "owner email", "rep", "sales rep"),
    "crm_stage": ("stage", "pipeline stage"),
    "status": ("status", "outcome"),
    "created_on": ("created", "created on", "created date", "create date"),
    "closed_on": ("closed", "closed on", "close date"),
    "persona": ("persona", "primary persona"),
    "stage": ("buyer stage", "journey stage"),
}


def detect_preset(headers: list[str]) -> str:
    """'salesforce', 'hubspot', or '' when the header matches neither export."""
    lowered = {h.lower() for h in headers}
    for preset, signature in SIGNATURES.items():
        if all(name in lowered for name in signature):
            return preset
    if {"record id", "deal name"} <= lowered:
        return "hubspot"
    return ""


def suggest_mapping(headers: list[str], preset: str) -> dict[str, str | None]:
    """Target field -> header, from the preset's names, else from common generic names."""
    by_lower = {h.lower(): h for h in headers}
    names = PRESETS.get(preset) or GENERIC
    mapping: dict[str, str | None] = {}
    for key in TARGET_KEYS:
        mapping[key] = next((by_lower[n.lower()] for n in names.get(key, ()) if n.lower() in by_lower), None)
    return mapping
