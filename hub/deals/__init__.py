"""Deals from the CRM: pages, CSV import, outcomes and the content used in each deal."""
