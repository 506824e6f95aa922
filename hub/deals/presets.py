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
        # report exports use labels; Data Loader and Workbench exports use the API names
        "crm_id": ("Opportunity ID", "Opportunity Id", "Id"),
        "name": ("Opportunity Name", "Name"),
        "account": ("Account Name", "Account.Name"),
        "amount": ("Amount",),
        "currency": ("Opportunity Currency", "Currency", "Amount Currency", "CurrencyIsoCode"),
        "owner": (
            "Opportunity Owner Email",
            "Owner Email",
            "Owner.Email",
            "Opportunity Owner",
            "Owner Name",
            "Owner.Name",
        ),
        "crm_stage": ("Stage", "StageName"),
        "won": ("Won", "IsWon"),
        "closed": ("Closed", "IsClosed"),
        "created_on": ("Created Date", "CreatedDate"),
        "closed_on": ("Close Date", "CloseDate"),
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
    "pipedrive": {
        "crm_id": ("Deal - ID",),
        "name": ("Deal - Title",),
        "account": ("Deal - Organization", "Deal - Organization name"),
        "amount": ("Deal - Value",),
        "currency": ("Deal - Currency", "Deal - Currency of Value"),
        "owner": ("Deal - Owner", "Deal - Owner email"),
        "crm_stage": ("Deal - Stage",),
        "status": ("Deal - Status",),
        "created_on": ("Deal - Deal created", "Deal - Add time", "Deal - Created"),
        "closed_on": ("Deal - Deal closed on", "Deal - Close time", "Deal - Expected close date"),
        "persona": ("Deal - Primary Persona", "Deal - Persona"),
        "stage": ("Deal - Buyer Stage",),
    },
    "zoho": {
        "crm_id": ("Record Id", "Deal Id"),
        "name": ("Deal Name",),
        "account": ("Account Name",),
        "amount": ("Amount",),
        "currency": ("Currency",),
        "owner": ("Deal Owner Email", "Deal Owner"),
        "crm_stage": ("Stage",),
        "created_on": ("Created Time",),
        "closed_on": ("Closing Date",),
        "persona": ("Primary Persona", "Persona"),
        "stage": ("Buyer Stage", "Buyer Journey Stage"),
    },
    "dynamics": {
        "crm_id": ("(Do Not Modify) Opportunity", "Opportunity", "Opportunity ID"),
        "name": ("Topic", "Name"),
        "account": ("Potential Customer", "Account"),
        "amount": ("Est. Revenue", "Estimated Revenue", "Actual Revenue"),
        "currency": ("Currency",),
        "owner": ("Owner",),
        "crm_stage": ("Sales Stage", "Pipeline Phase"),
        "status": ("Status",),
        "created_on": ("Created On",),
        "closed_on": ("Actual Close Date", "Est. Close Date", "Estimated Close Date"),
        "persona": ("Primary Persona", "Persona"),
        "stage": ("Buyer Stage", "Buyer Journey Stage"),
    },
}
PRESET_LABELS = {
    "salesforce": "Salesforce opportunity export",
    "hubspot": "HubSpot deals export",
    "pipedrive": "Pipedrive deals export",
    "zoho": "Zoho CRM deals export",
    "dynamics": "Dynamics 365 opportunities export",
}
# headers that, all present, identify an export; a Salesforce report has no id column unless someone added it
SIGNATURES: dict[str, tuple[tuple[str, ...], ...]] = {
    "salesforce": (("opportunity name",), ("stagename", "closedate")),
    "hubspot": (("deal name", "deal stage"),),
    "pipedrive": (("deal - title",),),
    "zoho": (("deal name", "closing date"), ("deal name", "deal owner")),
    "dynamics": (("(do not modify) opportunity",), ("topic", "est. revenue")),
}
# numeric dates the file does not decide are read month first (US), and the user is asked to confirm
PRESET_DATE_DEFAULT = {"salesforce": "mdy", "hubspot": "mdy", "": "mdy"}
GENERIC = {
    "crm_id": ("crm id", "id", "deal id", "opportunity id", "external id", "record id"),
    "name": ("name", "deal", "deal name", "opportunity", "opportunity name", "deal title", "topic"),
    "account": ("account", "account name", "company", "company name", "customer", "organization", "client"),
    "amount": ("amount", "value", "deal value", "deal amount", "revenue", "est. revenue"),
    "currency": ("currency", "currency code"),
    "owner": ("owner", "owner email", "deal owner", "opportunity owner", "rep", "sales rep", "assigned to"),
    "crm_stage": ("stage", "pipeline stage", "deal stage", "sales stage"),
    "status": ("status", "outcome", "deal status"),
    "created_on": ("created", "created on", "created date", "create date", "created at", "date created"),
    "closed_on": ("closed", "closed on", "close date", "closing date", "expected close date"),
    "persona": ("persona", "primary persona"),
    "stage": ("buyer stage", "journey stage", "buyer journey stage"),
}


def detect_preset(headers: list[str]) -> str:
    """The export the header comes from, or '' when it matches none."""
    lowered = {h.lower() for h in headers}
    for preset, signatures in SIGNATURES.items():
        if any(all(name in lowered for name in signature) for signature in signatures):
            return preset
    if {"record id", "deal name"} <= lowered:
        return "hubspot"
    return ""


def suggest_mapping(headers: list[str], preset: str) -> dict[str, str | None]:
    """Target field -> header, from the preset's names, else from common generic names."""
    by_lower: dict[str, str] = {}
    for header in headers:
        by_lower.setdefault(header.lower(), header)
        # "Amount:" or "Deal Name *" as some spreadsheet templates write them
        by_lower.setdefault(header.lower().rstrip(":* ").strip(), header)
    names = PRESETS.get(preset) or GENERIC
    mapping: dict[str, str | None] = {}
    for key in TARGET_KEYS:
        mapping[key] = next((by_lower[n.lower()] for n in names.get(key, ()) if n.lower() in by_lower), None)
    return mapping
