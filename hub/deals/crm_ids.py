"""CRM ids in the one form Hub stores, so every export of the same opportunity finds the same deal.

Salesforce writes an opportunity's id in two forms: 15 characters where case matters (reports, URLs) and
18 characters that add a checksum of the letters' case (Data Loader, the API, formula fields). The
checksum also lets an 18-character id that a spreadsheet changed to one case be read back. Hub stores
the 18-character form. Other CRMs' ids are kept exactly as given.
"""

from __future__ import annotations

import re

# opportunities' ids start with their object's key prefix, 006
_SALESFORCE_15 = re.compile(r"006[0-9A-Za-z]{12}")
_SALESFORCE_18 = re.compile(r"006[0-9A-Za-z]{12}[A-Za-z0-5]{3}")
_SUFFIX_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345"


def canonical_crm_id(crm_id: str) -> str:
    """The stored form of a CRM id: a Salesforce opportunity id in 18 characters, any other id as is."""
    if _SALESFORCE_15.fullmatch(crm_id):
        return crm_id + _suffix(crm_id)
    if _SALESFORCE_18.fullmatch(crm_id):
        restored = _restore_case(crm_id[:15], crm_id[15:].upper())
        if restored is not None:
            return restored + crm_id[15:].upper()
    return crm_id


def _suffix(id15: str) -> str:
    """The three checksum characters: for each five characters, which of them are capital letters."""
    return "".join(
        _SUFFIX_ALPHABET[
            sum(1 << bit for bit, char in enumerate(id15[start : start + 5]) if "A" <= char <= "Z")
        ]
        for start in (0, 5, 10)
    )


def _restore_case(prefix: str, suffix: str) -> str | None:
    """The 15 characters with the case the checksum records; None when it does not fit them (not an id)."""
    chars = list(prefix.lower())
    for chunk, code in enumerate(suffix):
        flags = _SUFFIX_ALPHABET.index(code)
        for bit in range(5):
            if flags & (1 << bit):
                position = 5 * chunk + bit
                if not chars[position].isalpha():
                    return None
                chars[position] = chars[position].upper()
    restored = "".join(chars)
    # a mixed-case id whose letters disagree with its own checksum is someone else's id: keep it
    if prefix != restored and prefix not in (prefix.lower(), prefix.upper()):
        return None
    return restored
